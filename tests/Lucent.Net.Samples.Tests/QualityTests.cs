using System.Diagnostics;
using System.Globalization;
using ActivationMaximization;
using Lucent.Net.Imaging;
using Lucent.Net.ModelZoo.ResNet;
using Xunit.Abstractions;

namespace Lucent.Net.Samples.Tests;

/// <summary>
/// The tutorial's claims on the pretrained ResNet-18, averaged over three channels of layer3 (the stand-in for
/// mixed4a). Moderate settings so that the class runs in CI on 2 cores: 112 px images seen by the model at 112 px,
/// three channels rendered as one batch per setting, three settings.
/// </summary>
[Trait("Category", "Quality")]
public class QualityTests(ITestOutputHelper log)
{
    private const string Layer = "layer3";
    private const int Size = 112;
    private const int Steps = 64;
    private static readonly int[] Channels = [3, 5, 7];

    [Fact]
    public void Tutorial_claims_hold_on_pretrained_ResNet18()
    {
        var watch = Stopwatch.StartNew();
        using var model = PretrainedResNet18.Load();

        var pixel = Render(model, new ParameterizationSpec("Pixel (naive)", Fft: false, Decorrelate: false), TransformSet.None);
        var plain = Render(model, ParameterizationSpec.Default, TransformSet.None);
        var standard = Render(model, ParameterizationSpec.Default, TransformSet.Standard);

        double pixelShare = Channels.Select((_, i) => ImageMetrics.HighFrequencyEnergyShare(pixel.Images, ClaimMeasurements.HighFrequencyCutoff, i)).Average();
        double fftShare = Channels.Select((_, i) => ImageMetrics.HighFrequencyEnergyShare(plain.Images, ClaimMeasurements.HighFrequencyCutoff, i)).Average();
        double robustnessNone = Channels.Select((c, i) => ClaimMeasurements.Robustness(model, Layer, c, plain.Images, i, seed: 1, inputSize: Size).Ratio).Average();
        double robustnessStandard = Channels.Select((c, i) => ClaimMeasurements.Robustness(model, Layer, c, standard.Images, i, seed: 1, inputSize: Size).Ratio).Average();

        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"high-frequency share above {ClaimMeasurements.HighFrequencyCutoff} cycles/px: pixel {pixelShare:F3}, FFT + decorrelate {fftShare:F3} ({pixelShare / fftShare:F2}x)"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"robustness: no transforms {robustnessNone:F3}, standard transforms {robustnessStandard:F3}"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"took {watch.Elapsed.TotalSeconds:F0} s"));

        // Every render must have optimised something (otherwise the comparisons below mean nothing).
        foreach (var render in new[] { pixel, plain, standard })
        {
            render.Traces.Should().OnlyContain(t => t.Last > t.First);
        }

        pixelShare.Should().BeGreaterThanOrEqualTo(1.3 * fftShare, "the tutorial says the pixel parameterisation gives high-frequency noise and FFT + decorrelate does not");
        robustnessStandard.Should().BeGreaterThanOrEqualTo(robustnessNone + 0.15, "the tutorial says transforms give patterns that work at any position");
    }

    private static GroupRender Render(ResNet18Model model, ParameterizationSpec parameterization, TransformSet transforms)
    {
        var jobs = Channels.Select(c => new RenderJob(0, $"q_{c}", $"{Layer}:{c}", "mixed4a", Layer, c, parameterization, transforms)).ToArray();
        return ImageRenderer.Render(model, new RenderGroup(jobs), Size, Steps, seed: 0, inputSize: Size, progress: null, CancellationToken.None);
    }
}
