using Lucent.Net.Images;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Objectives;
using Lucent.Net.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// <c>variants</c>: our batched path on the Part 1 workload with candidate settings (intra-op thread
/// count, channels-last memory format, bfloat16 model), interleaved with the default in one process,
/// plus how far each variant's final images are from the default's (same seed).
/// </summary>
internal static class VariantsCommand
{
    public static int Run(HarnessOptions options)
    {
        int steps = options.Int("steps", 10);
        int repeats = options.Int("repeats", 2);
        bool microBatchesOnly = options.Flag("micro-batches");
        bool lrnOnly = options.Flag("lrn");
        Machine.PrintHeader($"variants --steps {steps} --repeats {repeats}{(microBatchesOnly ? " --micro-batches" : string.Empty)}");
        if (options.Int("threads", 0) is > 0 and int requested)
        {
            torch.set_num_threads(requested);
        }

        int defaultThreads = torch.get_num_threads();
        using var model = Part1Workload.CreateModel();
        using var channelsFirstModel = Part1Workload.CreateModel(new InceptionV1Options { UseChannelsLast = false });
        using var bf16Model = Part1Workload.CreateModel();
        bf16Model.to(ScalarType.BFloat16);
        using var composedLrnModel = Part1Workload.CreateModel(new InceptionV1Options { UseComposedLrn = true });
        using var unprunedModel = Part1Workload.CreateModel(new InceptionV1Options { AllowPruning = false });
        using var session7Model = Part1Workload.CreateModel(new InceptionV1Options { UseComposedLrn = true, AllowPruning = false });
        using var plainReluModel = Part1Workload.CreateModel(new InceptionV1Options { UseRedirectedRelu = false });
        plainReluModel.eval();

        var variants = new List<(string Name, InceptionV1Model Model, RenderOptions Options, int Threads)>
        {
            ("default", model, Part1Workload.OurOptions(steps), defaultThreads),
            ("LRN as before (autograd)", composedLrnModel, Part1Workload.OurOptions(steps), defaultThreads),
            ("mixed4a not pruned", unprunedModel, Part1Workload.OurOptions(steps), defaultThreads),
            ("neither (session 7 model)", session7Model, Part1Workload.OurOptions(steps), defaultThreads),
            ("channels-first model", channelsFirstModel, Part1Workload.OurOptions(steps), defaultThreads),
            ("plain ReLU (other images)", plainReluModel, Part1Workload.OurOptions(steps), defaultThreads),
        };
        foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct().Where(t => t != defaultThreads))
        {
            variants.Add(($"{threads} thread(s)", model, Part1Workload.OurOptions(steps), threads));
        }

        // The micro-batch sizes the measured default chooses between (the whole batch was the default before it).
        foreach (int size in new[] { Part1Workload.Channels.Length, 1, 2, 4 })
        {
            variants.Add((size == Part1Workload.Channels.Length ? "whole batch (old default)" : $"micro-batch {size}", model, Part1Workload.OurOptions(steps) with { MicroBatchSize = size }, defaultThreads));
        }

        if (microBatchesOnly)
        {
            variants.RemoveAll(v => v.Name != "default" && !v.Name.StartsWith("whole batch", StringComparison.Ordinal) && !v.Name.StartsWith("micro-batch", StringComparison.Ordinal));
        }

        if (lrnOnly)
        {
            variants.RemoveAll(v => v.Name is not ("default" or "LRN as before (autograd)" or "mixed4a not pruned" or "neither (session 7 model)"));
        }

        // Last, and only in the first repeat's order: once a process has used AMX (bfloat16), its later
        // float32 work runs slower (see CompareCommand), so it must not run before the float32 variants.
        if (!microBatchesOnly && !lrnOnly)
        {
            variants.Add(("bf16 model", bf16Model, Part1Workload.OurOptions(steps), defaultThreads));
        }

        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var images = new Dictionary<string, float[]>();
        var losses = new Dictionary<string, double>();
        var reached = new Dictionary<string, double>();
        // Image quality, measured the same way for every variant: the rendered images' objective under the
        // float32 channels-last model (mean activation of each image's own channel; higher is better).
        var quality = Objective.Sum(Part1Workload.Channels.Select((c, i) => Objective.Channel(Part1Workload.Layer, c, batch: i)));
        foreach (var variant in variants.Where(v => v.Name != "bf16 model"))
        {
            torch.set_num_threads(variant.Threads);
            CompareCommand.RunOurs(variant.Model, Part1Workload.Channels, 2, variant.Options with { Thresholds = [2] });
        }

        for (int repeat = 0; repeat < repeats; repeat++)
        {
            var order = variants;
            foreach (var variant in order)
            {
                torch.set_num_threads(variant.Threads);
                if (repeat == 0 && variant.Name == "bf16 model")
                {
                    CompareCommand.RunOurs(variant.Model, Part1Workload.Channels, 2, variant.Options with { Thresholds = [2] });
                }

                RenderResult? result = null;
                double ms = CompareCommand.Time(() => result = CompareCommand.RunOurs(variant.Model, Part1Workload.Channels, steps, variant.Options));
                ms /= steps * (double)Part1Workload.Channels.Length;
                times[variant.Name].Add(ms);
                images[variant.Name] = result!.FinalImages.Pixels.ToArray();
                losses[variant.Name] = result.Losses[^1];
                using (var rendered = TensorImages.ToTensor(result.FinalImages))
                {
                    reached[variant.Name] = -ObjectiveEvaluator.Evaluate(model, quality, rendered, new RenderOptions { Transforms = [] })[0] / Part1Workload.Channels.Length;
                }

                CompareCommand.Print($"repeat {repeat + 1}: {variant.Name,-26} {ms,8:F1} ms per image-step (load {Machine.LoadAverage()})");
            }
        }

        torch.set_num_threads(defaultThreads);
        Console.WriteLine();
        double baseline = times["default"].Average();
        var reference = images["default"];
        foreach (var variant in variants)
        {
            double ms = times[variant.Name].Average();
            var pixels = images[variant.Name];
            double maxDiff = 0, sumDiff = 0;
            for (int i = 0; i < pixels.Length; i++)
            {
                double d = Math.Abs(pixels[i] - reference[i]);
                maxDiff = Math.Max(maxDiff, d);
                sumDiff += d;
            }

            CompareCommand.Print($"{variant.Name,-26} {ms,8:F1} ms per image-step ({baseline / ms:F2}x default); final images vs default after {steps} steps: max |diff| {maxDiff:G3}, mean |diff| {sumDiff / pixels.Length:G3}; final loss {losses[variant.Name]:F2}; mean activation reached (float32 model) {reached[variant.Name]:F3}");
        }

        CompareCommand.Print($"default micro-batch: {Lucent.Net.Runtime.LucentRuntime.Tuning?.Description ?? "not measured"}");
        CompareCommand.Print($"load average: {Machine.LoadAverage()}");
        return 0;
    }
}
