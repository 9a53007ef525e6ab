using System.Diagnostics;
using Lucent.Net.Runtime;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// <c>tuning --explore</c>: whole renders of the real Part 1 workload (10 channels of mixed4a, <c>--steps</c> steps) at
/// each candidate micro-batch, interleaved over <c>--rounds</c> rounds, beside the measurement the renderer makes on a
/// render's first step (<c>LUCENT_NET_TUNING=remeasure</c> in each round), to check that the measurement ranks the
/// candidates as whole renders do on this machine.
/// </summary>
internal static class TuningExplore
{
    public static int Run(HarnessOptions options)
    {
        int rounds = options.Int("rounds", 5);
        int steps = options.Int("steps", 4);
        int?[] candidates = [null, 1, 2, 4];
        using var model = Part1Workload.CreateModel();
        var channels = Part1Workload.Channels;
        var times = new Dictionary<string, List<double>>();
        void Add(string key, double value)
        {
            if (!times.TryGetValue(key, out var list))
            {
                times[key] = list = [];
            }

            list.Add(value);
        }

        foreach (var c in candidates)
        {
            CompareCommand.RunOurs(model, channels, 1, Part1Workload.OurOptions(1) with { MicroBatchSize = c ?? channels.Length });
        }

        for (int round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? candidates : candidates.Reverse().ToArray();
            foreach (var c in order)
            {
                string setting = c?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "whole";
                var clock = Stopwatch.StartNew();
                CompareCommand.RunOurs(model, channels, steps, Part1Workload.OurOptions(steps) with { MicroBatchSize = c ?? channels.Length });
                Add($"render mb {setting}", clock.Elapsed.TotalMilliseconds / channels.Length / steps);
            }

            // The renderer's own measurement of the same workload at the first step of a 512-step render (its budget),
            // stopped after that step (its candidates' medians, ms per image).
            Environment.SetEnvironmentVariable(RenderTuner.ModeVariable, "remeasure");
            RenderTuner.ForgetProcessChoices();
            using (var stop = new CancellationTokenSource())
            {
                Lucent.Net.Rendering.Renderer.RenderChannels(model, Part1Workload.Layer, channels, Part1Workload.OurOptions(512), new StopAfterFirstStep(stop), stop.Token);
            }

            var tuning = LucentRuntime.Tuning!;
            foreach (var timing in tuning.Timings)
            {
                Add($"in-situ mb {timing.MicroBatchSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "whole"}", timing.MedianMilliseconds);
            }

            CompareCommand.Print($"round {round + 1} done (load {Machine.LoadAverage()}); in-situ chose {tuning.Description}");
            foreach (var (key, values) in times.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                CompareCommand.Print($"  {key,-22} median {TuningDecision.Median(values),8:F2} ms per image   runs {CompareCommand.Join(values)}");
            }
        }

        return 0;
    }

    /// <summary>Cancels the render after its first step (synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class StopAfterFirstStep(CancellationTokenSource stop) : IProgress<Lucent.Net.Rendering.RenderProgress>
    {
        public void Report(Lucent.Net.Rendering.RenderProgress value) => stop.Cancel();
    }
}
