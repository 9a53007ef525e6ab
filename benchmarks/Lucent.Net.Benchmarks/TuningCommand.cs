using System.Diagnostics;
using Lucent.Net.Runtime;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// <c>tuning</c>: the measured micro-batch size of the Part 1 workload on this machine (<see cref="LucentRuntime.Tuning"/>
/// after a 1-step render of it): what the cache holds, or what the measurement on the render's first step finds (run
/// with <c>LUCENT_NET_TUNING=remeasure</c> to measure again), how long the render took with it, and the load average.
/// </summary>
internal static class TuningCommand
{
    public static int Run()
    {
        Machine.PrintHeader("tuning");
        using var model = Part1Workload.CreateModel();
        var clock = Stopwatch.StartNew();
        CompareCommand.RunOurs(model, Part1Workload.Channels, 1, Part1Workload.OurOptions(1));
        double ms = clock.Elapsed.TotalMilliseconds;
        var tuning = LucentRuntime.Tuning ?? throw new InvalidOperationException("The batched render did not choose a micro-batch size (not a CPU render?).");
        CompareCommand.Print($"kernels : {LucentRuntime.Kernels?.Configuration.ToString() ?? "unchecked"}");
        CompareCommand.Print($"workload: {tuning.Workload}");
        CompareCommand.Print($"tuning  : {tuning.Source}: {tuning.Description}");
        foreach (var timing in tuning.Timings)
        {
            CompareCommand.Print($"  {timing.Setting,-14} {timing.MedianMilliseconds,7:F2} ms per image (median of {timing.Repetitions}){(timing.Repetitions == 0 ? " (not measured)" : timing.Correct ? string.Empty : " WRONG")}");
        }

        CompareCommand.Print($"took    : {ms:F0} ms for the 1-step render with the measurement (load {Machine.LoadAverage()})");
        Console.WriteLine(FormattableString.Invariant($"micro_batch={tuning.MicroBatchSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "whole"} source={tuning.Source} ms={tuning.MeasurementMilliseconds:F0}"));
        return 0;
    }
}
