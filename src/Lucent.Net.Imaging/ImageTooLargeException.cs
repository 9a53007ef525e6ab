namespace Lucent.Net.Imaging;

/// <summary>Thrown by <see cref="SafePngLoader"/> when an input exceeds an <see cref="ImageDecodeLimits"/> limit; nothing was decoded.</summary>
public sealed class ImageTooLargeException : Exception
{
    /// <summary>Creates the exception with no details.</summary>
    public ImageTooLargeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was too large and which limit applies.</param>
    public ImageTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was too large and which limit applies.</param>
    /// <param name="innerException">The cause.</param>
    public ImageTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
