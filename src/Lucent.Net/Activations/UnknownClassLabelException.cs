namespace Lucent.Net.Activations;

/// <summary>A class name that the model's labels do not have, have more than once, or a model without labels.</summary>
public sealed class UnknownClassLabelException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public UnknownClassLabelException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public UnknownClassLabelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownClassLabelException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one name.</summary>
    /// <param name="className">The name asked for.</param>
    /// <param name="message">What was wrong and the closest names.</param>
    public UnknownClassLabelException(string className, string message)
        : base(message)
    {
        ClassName = className;
    }

    /// <summary>The name asked for.</summary>
    public string? ClassName { get; }
}
