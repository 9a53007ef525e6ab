using System.Diagnostics;
using System.Globalization;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Objectives;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// <c>compare</c>: the Part 1 workload through (a) a Lucent-faithful loop and (b) our default path
/// (<see cref="Renderer.RenderChannels"/>: frozen weights, early-stopped forward, 10 channels in one
/// batch), interleaved in one process; prints ms per image-step, the ratio, achieved GFLOP/s against a
/// 2048x2048 float32 matmul measured in the same run, and memory.
/// </summary>
internal static class CompareCommand
{
    public static int Run(HarnessOptions options)
    {
        int steps = options.Int("steps", 20);
        int repeats = options.Int("repeats", 1);
        int lucentChannels = Math.Min(options.Int("lucent-channels", 4), Part1Workload.Channels.Length);
        int microBatch = options.Int("micro-batch", 0);
        RenderOptions? ourOptions = null;
        bool single = options.Flag("single");
        bool bf16 = options.Flag("bf16");
        bool alternatives = options.Flag("alternatives");
        if (options.Int("threads", 0) is > 0 and int threads)
        {
            torch.set_num_threads(threads);
        }

        Machine.PrintHeader($"compare --steps {steps} --repeats {repeats} --lucent-channels {lucentChannels}{(single ? " --single" : string.Empty)}{(bf16 ? " --bf16" : string.Empty)}{(alternatives ? " --alternatives" : string.Empty)} (threads {torch.get_num_threads()})");
        var channels = Part1Workload.Channels;
        int images = channels.Length;

        using var model = Part1Workload.CreateModel();
        var (macsToLayer, macsFull, convolutions) = FlopModel.CountMacs(model, Part1Workload.Layer, Part1Workload.ModelInputSize);
        // FLOP model (per image-step, 1 MAC = 2 FLOPs; convolutions and the linear layer only):
        // forward to mixed4a F = 2 * MACs; the input gradient of each convolution costs the same as its
        // forward, and so does its weight gradient. Our path: F + F (input gradient) = 2F.
        // Lucent's path: whole-network forward + input gradient + weight gradient up to mixed4a.
        double forwardFlops = 2.0 * macsToLayer;
        double oursFlops = 2.0 * forwardFlops;
        double lucentFlops = (2.0 * macsFull) + (2.0 * forwardFlops);
        Print($"kernels   : {LucentRuntime.Kernels?.Configuration.ToString() ?? "unchecked"}: {LucentRuntime.Kernels?.Description}");
        Print($"flop model: forward to {Part1Workload.Layer} at {Part1Workload.ModelInputSize}px = {macsToLayer / 1e9:F3} GMAC ({convolutions} convolutions), whole network {macsFull / 1e9:F3} GMAC");
        Print($"flop model: ours {oursFlops / 1e9:F2} GFLOP per image-step (forward + input gradient to {Part1Workload.Layer}); Lucent-faithful {lucentFlops / 1e9:F2} GFLOP (whole forward + input and weight gradients to {Part1Workload.Layer})");

        // Lucent's loop twice: with Lucent's own operations (separate pad copies, local_response_norm,
        // channels-first tensors as PyTorch's default: the faithful baseline) and with this model's faster
        // operations (what the loop alone costs).
        using var lucentModel = Part1Workload.CreateModel(new InceptionV1Options { UseLucentKernels = true, UseChannelsLast = false });
        var paths = new List<PathTimes>
        {
            new("Lucent-faithful", "Lucent's loop and operations", () => RunLucent(lucentModel, channels.Take(lucentChannels).ToArray(), steps), steps * lucentChannels),
            new("Lucent loop", "Lucent's loop, our operations", () => RunLucent(model, channels.Take(lucentChannels).ToArray(), steps), steps * lucentChannels),
            new("ours (batched)", microBatch > 0 ? $"our default path, micro-batch {microBatch}" : "our default path", () => RunOurs(model, channels, steps, ourOptions), steps * images),
        };
        if (single)
        {
            paths.Add(new("ours, 1 channel", "frozen + early stop, no batching", () => RunOursSingle(model, channels, steps), steps * images));
        }

        if (alternatives)
        {
            // The measured default against the two settings it chooses between most often, in the same process.
            paths.Add(new("ours, whole", "our path, whole batch per pass (the rule of thumb with oneDNN)", () => RunOurs(model, channels, steps, Part1Workload.OurOptions(steps) with { MicroBatchSize = images }), steps * images));
            paths.Add(new("ours, mb 1", "our path, one image per pass (the rule of thumb with LibTorch's own kernels)", () => RunOurs(model, channels, steps, Part1Workload.OurOptions(steps) with { MicroBatchSize = 1 }), steps * images));
            paths.Add(new("ours, mb 2", "our path, two images per pass", () => RunOurs(model, channels, steps, Part1Workload.OurOptions(steps) with { MicroBatchSize = 2 }), steps * images));
            paths.Add(new("ours, mb 4", "our path, four images per pass", () => RunOurs(model, channels, steps, Part1Workload.OurOptions(steps) with { MicroBatchSize = 4 }), steps * images));
        }

        // Warm-up: every path once for 2 steps (allocator, oneDNN primitives, JIT).
        Time(() => RunLucent(lucentModel, channels.Take(1).ToArray(), 2));
        Time(() => RunLucent(model, channels.Take(1).ToArray(), 2));
        ourOptions = microBatch > 0 ? Part1Workload.OurOptions(steps) with { MicroBatchSize = microBatch } : null;
        Time(() => RunOurs(model, channels, 2, ourOptions is null ? null : ourOptions with { Thresholds = [2] }));
        if (single)
        {
            Time(() => RunOursSingle(model, channels.Take(1).ToArray(), 2));
        }

        // The measured default (measured on the first step of the warm-up above when the cache held none).
        var tuning = LucentRuntime.Tuning;
        Print($"tuning    : {(tuning is null ? "not used (--micro-batch)" : tuning.Source + ": " + tuning.Description)}");

        var matmul = new List<double> { MatmulProbe.Measure() };
        for (int repeat = 0; repeat < repeats; repeat++)
        {
            // Alternate the order so slow drifts in machine load hit every path alike.
            var order = repeat % 2 == 0 ? paths : Enumerable.Reverse(paths).ToList();
            foreach (var path in order)
            {
                double cpu0 = CpuMs();
                double ms = Time(path.Run) / path.ImageSteps;
                double cpu = (CpuMs() - cpu0) / path.ImageSteps;
                path.Wall.Add(ms);
                path.Cpu.Add(cpu);
                Print($"repeat {repeat + 1}: {path.Name,-16} {ms,8:F1} ms per image-step, CPU {cpu,8:F1} ms   (load {Machine.LoadAverage()}, rss {ProcessMemory.ResidentMb():F0} MB)");
            }

            matmul.Add(MatmulProbe.Measure());
        }

        // The bfloat16 path runs after every float32 measurement, not interleaved: once a process has used
        // AMX, its later float32 work ran ~1.4x slower here (43 -> 61 ms per image-step, measured).
        if (bf16)
        {
            using var bf16Model = Part1Workload.CreateModel();
            bf16Model.to(ScalarType.BFloat16);
            var halfPath = new PathTimes("ours, bfloat16", "our path with the model in bfloat16 (opt-in; measured after the others)", () => RunOurs(bf16Model, channels, steps), steps * images);
            Time(() => RunOurs(bf16Model, channels, 2));
            for (int repeat = 0; repeat < repeats; repeat++)
            {
                double ms = Time(halfPath.Run) / halfPath.ImageSteps;
                halfPath.Wall.Add(ms);
                Print($"repeat {repeat + 1}: {halfPath.Name,-16} {ms,8:F1} ms per image-step   (load {Machine.LoadAverage()}, rss {ProcessMemory.ResidentMb():F0} MB)");
            }

            paths.Add(halfPath);
        }

        var lucent = paths[0].Wall;
        var loopOnly = paths[1];
        var ours = paths[2].Wall;
        var lucentCpu = paths[0].Cpu;
        var oursCpu = paths[2].Cpu;
        double lucentMs = lucent.Average();
        double oursMs = ours.Average();
        double speedup = lucentMs / oursMs;
        double matmulGflops = Median(matmul);
        double oursGflops = oursFlops / (oursMs / 1000.0) / 1e9;
        double lucentUseful = oursFlops / (lucentMs / 1000.0) / 1e9;
        double lucentDone = lucentFlops / (lucentMs / 1000.0) / 1e9;
        double share = oursGflops / matmulGflops;
        double peak = ProcessMemory.PeakMb();
        double final = ProcessMemory.ResidentMb();

        Console.WriteLine();
        foreach (var path in paths)
        {
            Print($"{path.Name,-16}: {path.Wall.Average(),8:F1} ms per image-step ({path.Description}; mean of {path.Wall.Count}; runs {Join(path.Wall)})");
        }

        Print($"speedup         : {speedup:F2}x (wall clock); CPU time per image-step {lucentCpu.Average():F1} vs {oursCpu.Average():F1} ms = {lucentCpu.Average() / oursCpu.Average():F2}x");
        Print($"loop alone      : {loopOnly.Wall.Average() / oursMs:F2}x (Lucent's loop with our operations vs ours); our operations alone: {lucentMs / loopOnly.Wall.Average():F2}x (Lucent's loop with Lucent's vs our operations)");
        Print($"matmul 2048^2 f32: {matmulGflops:F1} GFLOP/s (median of {matmul.Count} probes; runs {Join(matmul)})");
        Print($"ours achieved   : {oursGflops:F1} GFLOP/s = {share * 100:F0}% of matmul");
        if (paths.FirstOrDefault(p => p.Name == "ours, bfloat16") is { } half)
        {
            double halfGflops = oursFlops / (half.Wall.Average() / 1000.0) / 1e9;
            double bf16Matmul = MatmulProbe.Measure(dtype: ScalarType.BFloat16);
            Print($"ours, bfloat16  : {halfGflops:F1} GFLOP/s = {halfGflops / matmulGflops * 100:F0}% of the float32 matmul, {halfGflops / bf16Matmul * 100:F0}% of a bfloat16 matmul ({bf16Matmul:F1} GFLOP/s); {lucentMs / half.Wall.Average():F2}x the Lucent-faithful loop");
        }

        Print($"Lucent-faithful : {lucentUseful:F1} GFLOP/s useful ({lucentDone:F1} GFLOP/s of work done, weight gradients and layers after {Part1Workload.Layer} included)");
        Print($"memory          : peak {peak:F0} MB (VmHWM), final {final:F0} MB (VmRSS)");
        Print($"load average    : {Machine.LoadAverage()}");
        Print($"kernels         : {LucentRuntime.Kernels?.Configuration.ToString() ?? "unchecked"} ({CpuIdentity.Name})");
        Print($"default setting : {(microBatch > 0 || tuning is null ? $"micro-batch {microBatch} (--micro-batch)" : tuning.Source + ": " + tuning.Description)}");
        string chosen = microBatch > 0 || tuning is null ? microBatch.ToString(CultureInfo.InvariantCulture) : tuning.MicroBatchSize?.ToString(CultureInfo.InvariantCulture) ?? "whole";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"speedup={speedup:F2} gflops_share={share:F2} peak_mb={peak:F0} kernels={LucentRuntime.Kernels?.Configuration.ToString() ?? "unchecked"} micro_batch={chosen}"));
        return 0;
    }

    /// <summary>One path of the comparison and its measurements.</summary>
    private sealed record PathTimes(string Name, string Description, Action Run, int ImageSteps)
    {
        public List<double> Wall { get; } = [];

        public List<double> Cpu { get; } = [];
    }

    internal static void RunLucent(InceptionV1Model model, int[] channels, int steps)
    {
        foreach (int channel in channels)
        {
            var (image, _) = LucentFaithfulLoop.Render(model, Part1Workload.Layer, channel, steps, seed: channel);
            image.Dispose();
        }
    }

    internal static RenderResult RunOurs(InceptionV1Model model, int[] channels, int steps, RenderOptions? options = null) =>
        Renderer.RenderChannels(model, Part1Workload.Layer, channels, options ?? Part1Workload.OurOptions(steps));

    internal static void RunOursSingle(InceptionV1Model model, int[] channels, int steps)
    {
        foreach (int channel in channels)
        {
            Renderer.Render(model, Objective.Channel(Part1Workload.Layer, channel), Part1Workload.OurOptions(steps, seed: channel));
        }
    }

    internal static double CpuMs()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }

    internal static double Time(Action action)
    {
        GC.Collect();
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)));

    internal static void Print(FormattableString text) => Console.WriteLine(FormattableString.Invariant(text));
}
