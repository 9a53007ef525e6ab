using System.Diagnostics;
using Lucent.Net.Runtime;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// <c>tuning --explore</c>: the stand-in at a few sizes against the real Part 1 workload (10 channels of mixed4a,
/// 1 step) at each candidate micro-batch, interleaved, to check that the stand-in ranks the candidates as the
/// real workload does on this machine.
/// </summary>
internal static class TuningExplore
{
    public static int Run(HarnessOptions options)
    {
        int rounds = options.Int("rounds", 5);
        int?[] candidates = [null, 1, 2, 4];
        var standIns = new[] { (8, 64), (8, 80), (8, 96) }.Select(s => (Name: $"stand-in b{s.Item1} {s.Item2}px", Net: new TuningStandIn(s.Item1, s.Item2))).ToList();
        using var model = Part1Workload.CreateModel();
        var channels = Part1Workload.Channels;
        var real = new Dictionary<string, List<double>>();
        void Add(string key, double value)
        {
            if (!real.TryGetValue(key, out var list))
            {
                real[key] = list = [];
            }

            list.Add(value);
        }

        foreach (var (_, net) in standIns)
        {
            foreach (var c in candidates)
            {
                net.Time(c);
            }
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
                foreach (var (name, net) in standIns)
                {
                    Add($"{name} mb {setting}", net.Time(c));
                }

                var clock = Stopwatch.StartNew();
                CompareCommand.RunOurs(model, channels, 1, Part1Workload.OurOptions(1) with { MicroBatchSize = c ?? channels.Length });
                Add($"real 10 ch mb {setting}", clock.Elapsed.TotalMilliseconds / channels.Length);
            }

            CompareCommand.Print($"round {round + 1} done (load {Machine.LoadAverage()})");
            foreach (var (key, values) in real.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                CompareCommand.Print($"  {key,-28} median {TuningDecision.Median(values),8:F2} ms per image   runs {CompareCommand.Join(values)}");
            }
        }

        foreach (var (_, net) in standIns)
        {
            net.Dispose();
        }

        return 0;
    }
}
