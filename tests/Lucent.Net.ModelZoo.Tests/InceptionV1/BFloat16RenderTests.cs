using Lucent.Net.Images;
using Lucent.Net.Objectives;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>A model converted to bfloat16 renders from a float32 image: the renderer casts the model's input.</summary>
public sealed class BFloat16RenderTests
{
    public BFloat16RenderTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void A_bfloat16_inceptionv1_raises_its_channel_and_the_image_stays_float32()
    {
        using var full = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        full.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        using var half = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        half.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        half.to(ScalarType.BFloat16);
        var objective = Objective.Channel("mixed3a", 7);
        var options = new RenderOptions
        {
            Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(48, generator: g)),
            FixedImageSize = (96, 96),
            Thresholds = [12],
            Seed = 2,
        };

        var result = Renderer.Render(half, objective, options);

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Losses.Should().HaveCount(12).And.OnlyContain(l => double.IsFinite(l));
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
        using var image = TensorImages.ToTensor(result.FinalImages);
        image.dtype.Should().Be(ScalarType.Float32);

        // The bfloat16 render's image, measured by the float32 model, beats the starting noise.
        using var start = ImageParameterizations.Image(48, seed: 2);
        using var noise = start.CreateImage().detach();
        var evaluate = new RenderOptions { Transforms = [], FixedImageSize = (96, 96) };
        double rendered = ObjectiveEvaluator.Evaluate(full, objective, image, evaluate)[0];
        double initial = ObjectiveEvaluator.Evaluate(full, objective, noise, evaluate)[0];
        rendered.Should().BeLessThan(initial);
    }
}
