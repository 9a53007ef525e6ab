using Lucent.Net.Tool.CommandLine;
using System.Diagnostics;

namespace Lucent.Net.Tool.Gallery;

/// <summary>
/// Fault injection for crash-recovery tests: with <c>LUCENT_NET_CRASH_AT=UNIT:POINT</c> in its environment a worker
/// kills itself (SIGKILL, no clean-up) when it reaches that point of that unit, so a test can prove that a worker
/// killed at the worst moment leaves a gallery that the next run completes byte for byte. Points, in order:
/// <c>rendered</c> (images or a dataset unit's examples in memory, nothing on disk), <c>staged</c> (every file in
/// the private staging folder, none moved) and <c>moved</c> (the first file moved to its final path, the rest still
/// staged, no done marker).
/// Never set it outside tests: a timed kill cannot land between two of these points reliably on a loaded machine.
/// </summary>
internal static class GalleryCrashPoint
{
    /// <summary>The environment variable naming the crash point.</summary>
    public const string EnvironmentVariable = "LUCENT_NET_CRASH_AT";

    /// <summary>The points a crash can be injected at.</summary>
    public static readonly IReadOnlyList<string> Points = ["rendered", "staged", "moved"];

    /// <summary>Kills this process if the configured crash point is <paramref name="point"/> of <paramref name="unitId"/>.</summary>
    public static void Reach(string unitId, string point)
    {
        if (Parse(Environment.GetEnvironmentVariable(EnvironmentVariable)) is { } crash && crash.Unit == unitId && crash.Point == point)
        {
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite); // SIGKILL is asynchronous: never run past the point
        }
    }

    private static (string Unit, string Point)? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        int colon = value.LastIndexOf(':');
        return colon > 0 && Points.Contains(value[(colon + 1)..])
            ? (value[..colon], value[(colon + 1)..])
            : throw new ToolException($"{EnvironmentVariable}='{value}' is not UNIT:POINT with POINT one of {string.Join(", ", Points)}; unset it (it is for crash-recovery tests only).");
    }
}
