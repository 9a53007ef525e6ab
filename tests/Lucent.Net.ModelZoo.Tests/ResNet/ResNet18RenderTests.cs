using Lucent.Net.Images;
using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Xunit.Abstractions;
using static TorchSharp.torch;
using ObjectiveFactories = Lucent.Net.Objectives.Objective;

namespace Lucent.Net.ModelZoo.Tests.ResNet;

/// <summary>
/// Renders channel objectives on the real pretrained ResNet-18 through the core library and checks
/// that the image excites its channel far more than the start and than random noise does.
/// </summary>
[Trait("Category", "Quality")]
public sealed class ResNet18RenderTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("layer3", 7)]
    [InlineData("layer4_0", 11)]
    public void Rendered_images_excite_their_channel_far_more_than_noise(string layer, int channel)
    {
        using var model = PretrainedResNet18.Load();
        var objective = ObjectiveFactories.Channel(layer, channel);
        var options = new RenderOptions
        {
            Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(96, generator: g)),
            Thresholds = [48],
            Seed = 1,
        };

        var result = Renderer.Render(model, objective, options);
        double rendered = -Evaluate(model, objective, TensorImages.ToTensor(result.FinalImages));
        double noise = Enumerable.Range(0, 4).Select(seed =>
        {
            using var generator = new Generator((ulong)(100 + seed));
            using var image = rand([1, 3, 96, 96], generator: generator);
            return -Evaluate(model, objective, image);
        }).Average();

        output.WriteLine($"{layer}:{channel}: start {-result.InitialLoss:F4}, final step {-result.FinalLoss:F4}, rendered image {rendered:F4}, noise {noise:F4}");
        (-result.FinalLoss).Should().BeGreaterThan(-result.InitialLoss + 1.0, "the objective must rise far above its start");
        rendered.Should().BeGreaterThan((3 * Math.Abs(noise)) + noise, "the rendered image must excite the channel far more than random noise");
    }

    /// <summary>The objective's loss on an image as the renderer feeds it (preprocessing, resize to 224), no random transforms.</summary>
    private static double Evaluate(ResNet18Model model, Objectives.IObjective objective, Tensor image) =>
        ObjectiveEvaluator.Evaluate(model, objective, image).Single();
}
