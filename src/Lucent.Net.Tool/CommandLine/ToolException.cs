namespace Lucent.Net.Tool.CommandLine;

/// <summary>An error the tool reports as one line (<c>error: message</c>) with a non-zero exit code.</summary>
internal class ToolException : Exception
{
    public ToolException()
    {
    }

    public ToolException(string message)
        : base(message)
    {
    }

    public ToolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public ToolException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code (1 unless a subclass says otherwise).</summary>
    public int ExitCode { get; } = ExitCodes.Error;
}

/// <summary>A gallery folder whose plan or outputs were made with other options than the ones asked for.</summary>
internal sealed class GalleryConflictException : ToolException
{
    public GalleryConflictException()
    {
    }

    public GalleryConflictException(string message)
        : base(message, ExitCodes.Conflict)
    {
    }

    public GalleryConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
