namespace Lucent.Net.Tool.CommandLine;

/// <summary>The exit codes of the <c>lucent</c> command (docs/scale-out.md).</summary>
internal static class ExitCodes
{
    public const int Error = 1;
    public const int Usage = 2;

    /// <summary>A gallery folder holds another plan or outputs of other options.</summary>
    public const int Conflict = 3;

    /// <summary>Some units failed (the others are written; run again to retry them).</summary>
    public const int FailedUnits = 4;

    /// <summary>A bug: an exception no input should cause (the message says so and carries the details). EX_SOFTWARE of sysexits.h.</summary>
    public const int InternalError = 70;

    public const int Cancelled = 130;
}
