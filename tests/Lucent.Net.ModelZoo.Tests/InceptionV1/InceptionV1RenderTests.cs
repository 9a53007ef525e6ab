using Lucent.Net.Activations;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>InceptionV1 through Lucent.Net's renderer: hook names, preprocessing and early stop work together.</summary>
public sealed class InceptionV1RenderTests
{
    public InceptionV1RenderTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Renderer_uses_the_models_preprocessing_and_raises_a_mixed3a_channel()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        var options = new RenderOptions
        {
            Parameterization = ParameterizationFactory.From(g => new PixelImage(32, g)),
            Transforms = [],
            Thresholds = [4],
            Seed = 3,
        };

        var pipeline = Renderer.BuildPipeline(model, options, new ImageShape(1, 3, 32, 32));
        var result = Renderer.Render(model, new ChannelObjective("mixed3a", 5), options);

        pipeline.Select(t => t.Name).Should().Contain("preprocess_inceptionv1()");
        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Losses.Should().HaveCount(4);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
    }

    /// <summary>Minus the mean of one channel of one layer.</summary>
    private sealed class ChannelObjective(string layer, int channel) : IObjective
    {
        public string Name => $"channel({layer}, {channel})";

        public string Description => $"Raises the mean of channel {channel} of {layer}.";

        public IReadOnlyCollection<string> Layers => [layer];

        public Tensor Compute(IActivationLookup activations)
        {
            using var selected = activations[layer].select(1, channel);
            using var mean = selected.mean();
            return -mean;
        }
    }

    /// <summary>Sigmoid of a pixel tensor: the smallest parameterisation, enough to drive the renderer.</summary>
    private sealed class PixelImage : IImageParameterization
    {
        private readonly Parameter _pixels;

        public PixelImage(int size, Generator generator)
        {
            using (var scope = NewDisposeScope())
            {
                using var init = randn([1, 3, size, size], generator: generator) * 0.01;
                _pixels = new Parameter(init, requires_grad: true);
                _pixels.DetachFromDisposeScope();
            }

            Shape = new ImageShape(1, 3, size, size);
        }

        public IReadOnlyList<Parameter> Parameters => [_pixels];

        public ImageShape Shape { get; }

        public string Name => "pixel";

        public Tensor CreateImage() => sigmoid(_pixels);

        public void Dispose() => _pixels.Dispose();
    }
}
