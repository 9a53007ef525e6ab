namespace Lucent.Net.Testing;

/// <summary>Why an image snapshot did not match.</summary>
public enum SnapshotMismatchReason
{
    /// <summary>No baseline file exists yet; the received image was written for review.</summary>
    MissingBaseline,

    /// <summary>The baseline has another width or height than the received image.</summary>
    SizeDiffers,

    /// <summary>More pixels differ by more than the tolerance than allowed.</summary>
    PixelsDiffer,
}

/// <summary>
/// Thrown by <see cref="ImageSnapshot"/> when an image does not match its baseline. The message names the baseline,
/// the received image written next to it, the diff image where there is one, the measured difference and how to
/// accept the received image. Test frameworks show it as a failed assertion.
/// </summary>
public sealed class ImageSnapshotMismatchException : Exception
{
    /// <summary>Creates the exception with no details.</summary>
    public ImageSnapshotMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What did not match.</param>
    public ImageSnapshotMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What did not match.</param>
    /// <param name="innerException">The cause.</param>
    public ImageSnapshotMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ImageSnapshotMismatchException(string message, SnapshotMismatchReason reason, string baselinePath, string receivedPath)
        : base(message)
    {
        Reason = reason;
        BaselinePath = baselinePath;
        ReceivedPath = receivedPath;
    }

    /// <summary>Why the snapshot did not match.</summary>
    public SnapshotMismatchReason Reason { get; }

    /// <summary>Full path of the baseline PNG.</summary>
    public string? BaselinePath { get; }

    /// <summary>Full path of the received PNG written next to the baseline.</summary>
    public string? ReceivedPath { get; }

    /// <summary>Full path of the diff PNG (only for <see cref="SnapshotMismatchReason.PixelsDiffer"/>).</summary>
    public string? DiffPath { get; init; }

    /// <summary>The comparison (only for <see cref="SnapshotMismatchReason.PixelsDiffer"/>).</summary>
    public ImageComparison? Comparison { get; init; }
}
