using System.Diagnostics;
using System.Globalization;

namespace Lucent.Net.Benchmarks;

/// <summary>Process memory as the kernel reports it: resident set (VmRSS) and its high-water mark (VmHWM).</summary>
internal static class ProcessMemory
{
    private const string StatusPath = "/proc/self/status";

    /// <summary>Current resident set size in MiB.</summary>
    public static double ResidentMb() => ReadStatusKb("VmRSS:") is { } kb ? kb / 1024.0 : Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024.0);

    /// <summary>Peak resident set size (since start or the last <see cref="TryResetPeak"/>) in MiB.</summary>
    public static double PeakMb()
    {
        if (ReadStatusKb("VmHWM:") is { } kb)
        {
            return kb / 1024.0;
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Resets the kernel's peak (writes 5 to /proc/self/clear_refs, Linux 4.0 and later); false where that is not possible.</summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Anonymous memory backed by transparent huge pages (MiB), from /proc/self/smaps_rollup; 0 where unknown.</summary>
    public static double HugePagesMb()
    {
        const string rollup = "/proc/self/smaps_rollup";
        if (!File.Exists(rollup))
        {
            return 0;
        }

        foreach (string line in File.ReadLines(rollup))
        {
            if (line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
            {
                return long.Parse(line["AnonHugePages:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return 0;
    }

    private static long? ReadStatusKb(string key)
    {
        if (!File.Exists(StatusPath))
        {
            return null;
        }

        foreach (string line in File.ReadLines(StatusPath))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
