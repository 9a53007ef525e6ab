using Lucent.Net.Objectives;
using System.Globalization;
using Lucent.Net.Rendering;
using TorchSharp;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// <c>memory</c>: (1) a long single-channel render (default 512 steps) of the Part 1 workload,
/// reporting resident memory and live tensors at step 50 and at the end; (2) a batched 10-channel
/// render, reporting the same and its peak resident memory (the kernel's high-water mark, reset
/// before the render).
/// </summary>
internal static class MemoryCommand
{
    private const int FirstSample = 50;

    public static int Run(HarnessOptions options)
    {
        int steps = options.Int("steps", 512);
        int batchedSteps = options.Int("batched-steps", 128);
        if (options.Int("threads", 0) is > 0 and int threads)
        {
            torch.set_num_threads(threads);
        }

        Machine.PrintHeader($"memory --steps {steps} --batched-steps {batchedSteps} (threads {torch.get_num_threads()})");
        using var model = Part1Workload.CreateModel();
        CompareCommand.Print($"start: rss {ProcessMemory.ResidentMb():F0} MB");

        var single = Measure(model, [0], steps, "single-channel");
        var batched = Measure(model, Part1Workload.Channels, batchedSteps, "batched 10-channel");
        CompareCommand.Print($"load average: {Machine.LoadAverage()}");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"growth_mb={single.Growth:F1} batched_growth_mb={batched.Growth:F1} batched_peak_mb={batched.Peak:F0} single_peak_mb={single.Peak:F0}"));
        return 0;
    }

    private static (double Growth, double Peak) Measure(ModelZoo.InceptionV1.InceptionV1Model model, int[] channels, int steps, string label)
    {
        GC.Collect();
        bool reset = ProcessMemory.TryResetPeak();
        double before = ProcessMemory.ResidentMb();
        int sampleAt = Math.Min(FirstSample, steps);
        double rssAtSample = 0, rssAtEnd = 0, maxSampled = 0;
        long liveAtSample = 0, liveAtEnd = 0;
        var progress = new SynchronousProgress(p =>
        {
            double rss = ProcessMemory.ResidentMb();
            maxSampled = Math.Max(maxSampled, rss);
            if (p.Step == sampleAt)
            {
                rssAtSample = rss;
                liveAtSample = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }

            if (p.Step == steps)
            {
                rssAtEnd = rss;
                liveAtEnd = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }

            if (p.Step % 64 == 0)
            {
                var heap = Lucent.Net.Runtime.GlibcHeap.Read();
                CompareCommand.Print($"  {label} step {p.Step}/{steps}: rss {rss:F0} MB, malloc in use {heap?.InUseBytes / 1048576.0:F0} MB, free in heap {heap?.FreeBytes / 1048576.0:F0} MB, mmapped {heap?.MappedBytes / 1048576.0:F0} MB, huge pages {ProcessMemory.HugePagesMb():F0} MB, managed {GC.GetTotalMemory(false) / 1048576.0:F0} MB, {p.Elapsed.TotalSeconds:F0} s");
            }
        });

        var options = Part1Workload.OurOptions(steps);
        var result = channels.Length == 1
            ? Renderer.Render(model, Objective.Channel(Part1Workload.Layer, channels[0]), options, progress)
            : Renderer.RenderChannels(model, Part1Workload.Layer, channels, options, progress);
        double peak = reset ? ProcessMemory.PeakMb() : maxSampled;
        double growth = rssAtEnd - rssAtSample;
        CompareCommand.Print($"{label} render, {steps} steps ({result.Elapsed.TotalMilliseconds / steps / channels.Length:F1} ms per image-step): rss before {before:F0} MB, step {sampleAt} {rssAtSample:F0} MB, step {steps} {rssAtEnd:F0} MB, growth {growth:F1} MB; live tensors {liveAtSample} -> {liveAtEnd}; peak {peak:F0} MB ({(reset ? "VmHWM reset before the render" : "max sampled per step; VmHWM could not be reset")})");
        return (growth, peak);
    }

    /// <summary>Reports on the render's thread, immediately (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class SynchronousProgress(Action<RenderProgress> report) : IProgress<RenderProgress>
    {
        public void Report(RenderProgress value) => report(value);
    }
}
