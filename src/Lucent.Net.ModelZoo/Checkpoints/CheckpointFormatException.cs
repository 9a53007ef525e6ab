namespace Lucent.Net.ModelZoo.Checkpoints;

/// <summary>
/// A checkpoint file could not be read: it is truncated, corrupted, not a PyTorch checkpoint, or it
/// asks for something this safe reader refuses (for example a Python global other than the few a state
/// dict needs). The message says what was wrong.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public CheckpointFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CheckpointFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The refused Python global as <c>module.name</c>, when that is why reading failed; otherwise null.</summary>
    public string? RefusedGlobal { get; init; }
}
