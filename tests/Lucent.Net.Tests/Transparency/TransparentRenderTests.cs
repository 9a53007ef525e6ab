using Lucent.Net.Images;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using static Lucent.Net.Objectives.Objective;

namespace Lucent.Net.Tests.Transparency;

/// <summary>A tiny transparent render on a small conv net: the objective improves, alpha stays in [0, 1], the result keeps 4 channels.</summary>
public sealed class TransparentRenderTests
{
    private static RenderOptions Options(long seed = 0, IReadOnlyList<int>? thresholds = null) => new()
    {
        Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Rgba(16, standardDeviation: 0.5, fft: false, generator: g)),
        Transforms = [],
        Thresholds = thresholds ?? [30],
        FixedImageSize = (16, 16),
        LearningRate = 0.1,
        Seed = seed,
    };

    [Fact]
    public void Transparent_render_raises_the_channel_and_keeps_alpha_in_unit_range()
    {
        using var model = new TinyConvNet(seed: 1);
        var objective = Channel("conv2", 1) - (0.1 * BlurAlphaEachStep()) + (0.01 * PenalizeBoundaryComplexity(2));
        var result = Renderer.Render(model, objective, Options(thresholds: [1, 30]));

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
        foreach (var snapshot in result.Snapshots)
        {
            snapshot.Images.Channels.Should().Be(4, "the recorded image keeps its alpha channel");
            snapshot.Images.Pixels.Should().OnlyContain(v => v >= 0f && v <= 1f);
        }

        // The channel alone, on the images composited over the same seeded backgrounds, rose from step 1 to step 30.
        using var first = TensorImages.ToTensor(result.Snapshots[0].Images);
        using var last = TensorImages.ToTensor(result.FinalImages);
        first.shape[1].Should().Be(4);
        double before = ObjectiveEvaluator.Evaluate(model, Channel("conv2", 1), first, Options(), samples: 4).Average();
        double after = ObjectiveEvaluator.Evaluate(model, Channel("conv2", 1), last, Options(), samples: 4).Average();
        (-after).Should().BeGreaterThan(-before, "the channel's mean activation rises");
    }

    [Fact]
    public void A_batch_of_transparent_channels_renders_the_same_one_image_at_a_time_as_all_at_once()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = Options(thresholds: [6]) with
        {
            Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Rgba(16, standardDeviation: 0.5, batch: 2, fft: false, generator: g)),
        };
        var together = Renderer.RenderChannels(model, "conv2", [0, 2], options with { MicroBatchSize = 2 });
        var apart = Renderer.RenderChannels(model, "conv2", [0, 2], options with { MicroBatchSize = 1 });

        together.StopReason.Should().Be(RenderStopReason.Completed);
        apart.StopReason.Should().Be(RenderStopReason.Completed);
        together.FinalImages.Channels.Should().Be(4);
        together.FinalImages.Batch.Should().Be(2);
        apart.FinalImages.Pixels.Zip(together.FinalImages.Pixels).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-4f);
    }

    [Fact]
    public void Same_seed_same_transparent_image_and_another_seed_differs()
    {
        using var model = new TinyConvNet(seed: 1);
        var objective = Channel("conv2", 3);
        var a = Renderer.Render(model, objective, Options(seed: 4, thresholds: [5])).FinalImages.Pixels;
        var b = Renderer.Render(model, objective, Options(seed: 4, thresholds: [5])).FinalImages.Pixels;
        var c = Renderer.Render(model, objective, Options(seed: 5, thresholds: [5])).FinalImages.Pixels;

        a.Should().Equal(b);
        a.Should().NotEqual(c);
    }
}
