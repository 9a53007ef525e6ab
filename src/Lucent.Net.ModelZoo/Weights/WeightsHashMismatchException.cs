namespace Lucent.Net.ModelZoo.Weights;

/// <summary>
/// A weight file is not the pinned one: its size or hash differs from what <see cref="PretrainedWeights"/>
/// pins. The message names the file, the check, the expected and the actual value. The weight store reports it
/// as the <see cref="Exception.InnerException"/> of a <see cref="WeightsUnavailableException"/>.
/// </summary>
public sealed class WeightsHashMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeightsHashMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public WeightsHashMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public WeightsHashMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a file whose <paramref name="check"/> gave <paramref name="actual"/> instead of <paramref name="expected"/>.</summary>
    /// <param name="filePath">The file that was checked.</param>
    /// <param name="check">What was compared: <c>size</c>, <c>SHA-256</c> or <c>git blob SHA-1</c>.</param>
    /// <param name="expected">The pinned value.</param>
    /// <param name="actual">The file's value.</param>
    public WeightsHashMismatchException(string filePath, string check, string expected, string actual)
        : base($"'{filePath}' is not the pinned file: its {check} is {actual}, expected {expected}.")
    {
        FilePath = filePath;
        Check = check;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The file that was checked.</summary>
    public string? FilePath { get; }

    /// <summary>What was compared: <c>size</c>, <c>SHA-256</c> or <c>git blob SHA-1</c>.</summary>
    public string? Check { get; }

    /// <summary>The pinned value (lower-case hexadecimal for hashes, bytes for sizes).</summary>
    public string? Expected { get; }

    /// <summary>The file's value.</summary>
    public string? Actual { get; }
}
