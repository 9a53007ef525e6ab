using Lucent.Net.Images;
using Lucent.Net.Objectives;
using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.Rendering;
using TorchSharp;

namespace Lucent.Net.Benchmarks;

/// <summary><c>resnet</c>: the pretrained ResNet-18 (the tutorial app's offline model) rendering 10 channels of layer3 as one batch, channels-last against channels-first, interleaved.</summary>
internal static class ResNetProbe
{
    public static int Run(HarnessOptions options)
    {
        int steps = options.Int("steps", 8);
        int repeats = options.Int("repeats", 2);
        Machine.PrintHeader($"resnet --steps {steps} --repeats {repeats}");
        using var model = PretrainedResNet18.Load();
        int[] channels = Enumerable.Range(0, 10).ToArray();
        var times = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        foreach (bool channelsLast in new[] { true, false })
        {
            model.UseChannelsLast = channelsLast;
            Renderer.RenderChannels(model, "layer3", channels, new RenderOptions { Thresholds = [2] });
        }

        for (int repeat = 0; repeat < repeats; repeat++)
        {
            foreach (bool channelsLast in repeat % 2 == 0 ? new[] { true, false } : [false, true])
            {
                model.UseChannelsLast = channelsLast;
                double ms = CompareCommand.Time(() => Renderer.RenderChannels(model, "layer3", channels, new RenderOptions { Thresholds = [steps] })) / (steps * (double)channels.Length);
                times[channelsLast].Add(ms);
                CompareCommand.Print($"repeat {repeat + 1}: {(channelsLast ? "channels-last " : "channels-first")} {ms,8:F1} ms per image-step (load {Machine.LoadAverage()})");
            }
        }

        double last = times[true].Average(), first = times[false].Average();
        CompareCommand.Print($"ResNet-18 to layer3, batch 10: channels-last {last:F1} ms, channels-first {first:F1} ms per image-step = {first / last:F2}x");
        model.UseChannelsLast = false;
        if (options.Flag("bf16"))
        {
            // Last: after AMX use, float32 work in the same process runs slower (docs/performance.md).
            var quality = Objectives.Objective.Sum(channels.Select((c, i) => Objective.Channel("layer3", c, batch: i)));
            var full = Renderer.RenderChannels(model, "layer3", channels, new RenderOptions { Thresholds = [steps * 4] });
            using var half = PretrainedResNet18.Load();
            half.to(TorchSharp.torch.ScalarType.BFloat16);
            Renderer.RenderChannels(half, "layer3", channels, new RenderOptions { Thresholds = [2] });
            RenderResult? halfResult = null;
            double halfMs = CompareCommand.Time(() => halfResult = Renderer.RenderChannels(half, "layer3", channels, new RenderOptions { Thresholds = [steps * 4] })) / (steps * 4.0 * channels.Length);
            double Reached(RenderResult r)
            {
                using var images = TensorImages.ToTensor(r.FinalImages);
                return -ObjectiveEvaluator.Evaluate(model, quality, images, new RenderOptions { Transforms = [] })[0] / channels.Length;
            }

            CompareCommand.Print($"bfloat16 model: {halfMs:F1} ms per image-step ({first / halfMs:F2}x channels-first float32); after {steps * 4} steps the images reach a mean activation of {Reached(halfResult!):F3} under the float32 model (float32 render: {Reached(full):F3})");
        }

        return 0;
    }
}
