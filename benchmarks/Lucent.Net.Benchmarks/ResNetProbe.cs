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
        return 0;
    }
}
