using System.Diagnostics;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// Process start to first render step: what a user waits for before a render makes progress. Times
/// the host start (until Main), the native runtime with the kernel self-check, the model, the first
/// steps and the rest, for one Lucent-default render of InceptionV1 (random seeded weights).
/// </summary>
internal static class StartupCommand
{
    public static int Run(HarnessOptions options, double mainAtMs, double initialisedAtMs)
    {
        int steps = options.Int("steps", 20);
        var clock = Stopwatch.StartNew();
        double Since() => initialisedAtMs + clock.Elapsed.TotalMilliseconds;

        using var model = Part1Workload.CreateModel();
        double modelAt = Since();
        var stepTimes = new List<double>();
        var progress = new SynchronousProgress(_ => stepTimes.Add(Since()));
        Renderer.Render(model, $"{Part1Workload.Layer}:0", new RenderOptions { Thresholds = [steps], Seed = 0 }, progress);
        double doneAt = Since();

        var verdict = LucentRuntime.Kernels;
        string check = verdict is null ? "not run"
            : verdict.Probe is { } probe ? $"full probe {probe.Duration.TotalMilliseconds:F0} ms"
            : verdict.FromCache ? "cached verdict, short confirmation" : "off";
        Print($"kernels            : {verdict?.Configuration.ToString() ?? "unchecked"} ({check}) on {CpuIdentity.Name}");
        Print($"host start -> Main : {mainAtMs,8:F0} ms (includes loading LibTorch and the kernel check when Lucent.Net's module initializer runs them first)");
        Print($"runtime + kernels  : {initialisedAtMs - mainAtMs,8:F0} ms (LucentRuntime.EnsureInitialized after Main; its module initializer may already have run it)");
        Print($"model              : {modelAt - initialisedAtMs,8:F0} ms (InceptionV1, seeded random weights)");
        if (stepTimes.Count >= 2)
        {
            Print($"first step         : {stepTimes[0] - modelAt,8:F0} ms (render set-up, hooks, first forward and backward)");
            Print($"second step        : {stepTimes[1] - stepTimes[0],8:F0} ms");
            Print($"later steps        : {(stepTimes[^1] - stepTimes[1]) / Math.Max(1, stepTimes.Count - 2),8:F0} ms each ({stepTimes.Count - 2} steps)");
            Print($"start -> 1st step  : {stepTimes[0],8:F0} ms");
        }

        Print($"start -> {steps} steps : {doneAt,8:F0} ms");
        Print($"load average       : {Machine.LoadAverage()}");
        return 0;
    }

    private static void Print(FormattableString text) => CompareCommand.Print(text);

    /// <summary>An <see cref="IProgress{T}"/> that reports on the render's own thread (Progress posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<RenderProgress> report) : IProgress<RenderProgress>
    {
        public void Report(RenderProgress value) => report(value);
    }
}
