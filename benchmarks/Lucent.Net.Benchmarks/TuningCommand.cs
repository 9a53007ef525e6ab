using System.Diagnostics;
using Lucent.Net.Runtime;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// <c>tuning</c>: the measured render defaults of this machine (<see cref="LucentRuntime.EnsureTuned"/>): what the
/// cache holds, or what a measurement of the stand-in finds (run with <c>LUCENT_NET_TUNING=remeasure</c> to measure
/// again), how long it took, and the load average.
/// </summary>
internal static class TuningCommand
{
    public static int Run()
    {
        Machine.PrintHeader("tuning");
        var clock = Stopwatch.StartNew();
        var tuning = LucentRuntime.EnsureTuned();
        double ms = clock.Elapsed.TotalMilliseconds;
        CompareCommand.Print($"kernels : {LucentRuntime.Kernels?.Configuration.ToString() ?? "unchecked"}");
        CompareCommand.Print($"tuning  : {tuning.Source}: {tuning.Description}");
        foreach (var timing in tuning.Timings)
        {
            CompareCommand.Print($"  {timing.Setting,-14} {timing.MedianMilliseconds,7:F2} ms per stand-in image (median of {timing.Repetitions}){(timing.Repetitions == 0 ? " (not measured)" : timing.Correct ? string.Empty : " WRONG")}");
        }

        CompareCommand.Print($"took    : {ms:F0} ms in this process (load {Machine.LoadAverage()})");
        Console.WriteLine(FormattableString.Invariant($"micro_batch={tuning.MicroBatchSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "whole"} source={tuning.Source} ms={ms:F0}"));
        return 0;
    }
}
