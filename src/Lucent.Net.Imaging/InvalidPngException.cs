namespace Lucent.Net.Imaging;

/// <summary>Thrown by <see cref="SafePngLoader"/> when an input is not a valid PNG file.</summary>
public sealed class InvalidPngException : Exception
{
    /// <summary>Creates the exception with no details.</summary>
    public InvalidPngException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong with the input.</param>
    public InvalidPngException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong with the input.</param>
    /// <param name="innerException">The decoder's exception.</param>
    public InvalidPngException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
