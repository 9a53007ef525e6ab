namespace Lucent.Net.Activations;

/// <summary>
/// The model's forward pass failed before it computed a layer the objective needs, typically
/// because the input is too small for that layer (Lucent's "layer not computable at this size").
/// </summary>
public sealed class LayerNotComputableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LayerNotComputableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public LayerNotComputableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the forward pass's error.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="innerException">The error the forward pass raised.</param>
    public LayerNotComputableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
