using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Transforms;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using ObjectiveFactories = Lucent.Net.Objectives.Objectives;

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
            Parameterization = g => ImageParameterizations.Image(96, generator: g),
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
    private static double Evaluate(ResNet18Model model, Objectives.IObjective objective, Tensor image)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var pipeline = Renderer.BuildPipeline(model, new RenderOptions { Transforms = [] }, new ImageShape(1, 3, (int)image.shape[2], (int)image.shape[3]));
        using var generator = new Generator(0);
        var context = new TransformContext(generator);
        var input = pipeline.Aggregate(image, (x, t) => t.Apply(x, context));
        var recorder = new Dictionary<string, Tensor>();
        var layers = objective.Layers.ToList();
        using var hooks = new HookSet(model, layers, recorder);
        model.call(input);
        return objective.Compute(new DictionaryLookup(recorder)).ToDouble();
    }

    private sealed class DictionaryLookup(Dictionary<string, Tensor> values) : Objectives.IActivationLookup
    {
        public Tensor this[string layer] => values[layer];
    }

    private sealed class HookSet : IDisposable
    {
        private readonly List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover> removers = [];

        public HookSet(ResNet18Model model, IEnumerable<string> layers, Dictionary<string, Tensor> into)
        {
            foreach (string layer in layers)
            {
                string target = model.LayerAliases.TryGetValue(layer, out var t) ? t : layer;
                var module = Hooks.ModelLayers.HookableModules(model).Single(m => m.Key == target).Value;
                removers.Add(module.register_forward_hook((_, _, o) =>
                {
                    into[layer] = o;
                    return null!;
                }));
            }
        }

        public void Dispose()
        {
            foreach (var remover in removers)
            {
                remover.remove();
            }
        }
    }
}
