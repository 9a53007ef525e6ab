namespace Lucent.Net.Imaging;

/// <summary>Thrown by <see cref="SafeJpegLoader"/> when an input is not a valid baseline or progressive JPEG file.</summary>
public sealed class InvalidJpegException : Exception
{
    /// <summary>Creates the exception with no details.</summary>
    public InvalidJpegException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong with the input.</param>
    public InvalidJpegException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong with the input.</param>
    /// <param name="innerException">The decoder's exception.</param>
    public InvalidJpegException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
