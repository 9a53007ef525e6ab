namespace Lucent.Net.Objectives;

/// <summary>
/// An objective's argument does not fit the activations it reads: a channel, position, class or
/// batch index out of range, or a weight or direction vector whose length is not the layer's
/// channel count. Raised when the objective is computed, because only then is the layer's shape
/// known; the message names the layer, its shape and the valid range.
/// </summary>
public sealed class ObjectiveArgumentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public ObjectiveArgumentException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    public ObjectiveArgumentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public ObjectiveArgumentException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an argument that does not fit the shape of <paramref name="layer"/>.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="paramName">The objective's parameter that was wrong, e.g. <c>channel</c>.</param>
    /// <param name="layer">The layer whose activations were read.</param>
    /// <param name="shape">The shape of those activations.</param>
    public ObjectiveArgumentException(string message, string? paramName, string? layer, IReadOnlyList<long>? shape)
        : base(message, paramName)
    {
        Layer = layer;
        Shape = shape;
    }

    /// <summary>The layer whose activations were read, when known.</summary>
    public string? Layer { get; }

    /// <summary>The shape of that layer's activations, when known.</summary>
    public IReadOnlyList<long>? Shape { get; }
}
