using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.ModelZoo.Layout;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>
/// The model's layout (channels-last by default) against channels-first, and its fast operations (convolution and pool padding inside the kernels, LRN through
/// avg_pool2d) against Lucent's own (separate pad copies, local_response_norm), which the
/// benchmarks' Lucent-faithful loop runs.
/// </summary>
public sealed class InceptionV1VariantsTests
{
    public InceptionV1VariantsTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Lucents_kernels_give_the_same_layers_and_input_gradient_as_the_fast_ones()
    {
        using var fast = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        using var lucent = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1, UseLucentKernels = true });
        fast.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        lucent.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        fast.eval();
        lucent.eval();
        using var generator = new Generator(5, torch.CPU);
        using var image = torch.rand([2, 3, 224, 224], generator: generator).mul(255).sub(117);

        using var fastRecorder = new LayerRecorder(fast);
        using var lucentRecorder = new LayerRecorder(lucent);
        var (fastGradient, fastOutput) = ForwardBackward(fast, image);
        var (lucentGradient, lucentOutput) = ForwardBackward(lucent, image);

        lucentRecorder.FireOrder.Should().Equal(fastRecorder.FireOrder);
        AssertLayersClose(lucentRecorder, fastRecorder);

        // Rounding differences flip near-ties in the max pools, which moves single gradient entries to a
        // neighbouring pixel, so the gradients are compared as wholes (relative L2 distance), not entry by entry.
        double relativeDistance = lucentGradient.sub(fastGradient).norm().ToDouble() / fastGradient.norm().ToDouble();
        relativeDistance.Should().BeLessThan(5e-3, "measured 7e-4: float rounding only");
        lucentOutput.shape.Should().Equal(fastOutput.shape);
        fastGradient.Dispose();
        lucentGradient.Dispose();
        fastOutput.Dispose();
        lucentOutput.Dispose();
    }

    /// <summary>The input gradient of a rendering objective (mean of mixed4a channel 3), and the model's output.</summary>
    [Fact]
    public void The_channels_last_network_matches_the_channels_first_one_and_hands_hooks_nhwc_activations()
    {
        using var channelsLast = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        using var channelsFirst = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1, UseChannelsLast = false });
        channelsLast.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        channelsFirst.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        using var generator = new Generator(9, torch.CPU);
        using var image = torch.rand([2, 3, 224, 224], generator: generator).mul(255).sub(117);

        using var lastRecorder = new LayerRecorder(channelsLast);
        using var firstRecorder = new LayerRecorder(channelsFirst);
        var (lastGradient, lastOutput) = ForwardBackward(channelsLast, image);
        var (firstGradient, firstOutput) = ForwardBackward(channelsFirst, image);

        new InceptionV1Options().UseChannelsLast.Should().BeTrue("channels-last is the default");
        AssertLayersClose(lastRecorder, firstRecorder);

        // Different convolution algorithms round differently; near-zero pre-activations then change which
        // pixel of a max-pool window wins, moving single gradient entries (measured: 0.6% relative L2).
        double relativeDistance = lastGradient.sub(firstGradient).norm().ToDouble() / firstGradient.norm().ToDouble();
        relativeDistance.Should().BeLessThan(2e-2);
        lastOutput.sub(firstOutput).abs().max().ToDouble().Should().BeLessThan(1e-3);
        foreach (var t in new[] { lastGradient, firstGradient, lastOutput, firstOutput })
        {
            t.Dispose();
        }
    }

    [Fact]
    public void Hooks_of_the_default_network_see_channels_last_activations()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        using var recorder = new LayerRecorder(model, keepLayout: true);
        using var image = torch.zeros([1, 3, 224, 224]);
        using var output = model.call(image);

        ChannelsLast.Is(recorder.Outputs["conv2d0"]).Should().BeTrue();
        ChannelsLast.Is(recorder.Outputs["mixed3a"]).Should().BeTrue();
        ChannelsLast.Is(recorder.Outputs["mixed4a_pool"]).Should().BeTrue();
        using var flat = recorder.Outputs["mixed3a"].reshape(1, -1);
        flat.shape.Should().Equal(1, 256L * 28 * 28);
    }

    [Theory]
    [InlineData(2, 64, 6, 5)]
    [InlineData(1, 12, 3, 3)]
    public void Lrn_on_channels_last_input_equals_lrn_on_channels_first_input(int batch, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4, torch.CPU);
        var x = torch.rand([batch, channels, height, width], generator: generator).mul(250).requires_grad_(true);
        var nhwc = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        ChannelsLast.Is(nhwc).Should().BeTrue();
        ChannelsLast.Is(x).Should().BeFalse();

        var expected = InceptionV1Model.LocalResponseNormalization(x);
        var actual = InceptionV1Model.LocalResponseNormalization(nhwc);
        var upstream = torch.randn([batch, channels, height, width], generator: generator);
        var expectedGrad = torch.autograd.grad([expected], [x], [upstream])[0];
        var actualGrad = torch.autograd.grad([actual], [x], [upstream])[0];

        ChannelsLast.Is(actual).Should().BeTrue("the layout is kept");
        actual.sub(expected).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-6 * expected.abs().max().ToDouble());
        actualGrad.sub(expectedGrad).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-5 * expectedGrad.abs().max().ToDouble());
    }

    /// <summary>
    /// Every recorded layer has the same shape and values within 1e-3 of the layer's largest value:
    /// float rounding grows through ~60 layers; 1e-3 is the tolerance of the float64 PyTorch reference test too.
    /// </summary>
    private static void AssertLayersClose(LayerRecorder actualRecorder, LayerRecorder expectedRecorder)
    {
        foreach (var (name, expected) in expectedRecorder.Outputs)
        {
            var actual = actualRecorder.Outputs[name];
            actual.shape.Should().Equal(expected.shape, name);
            double scale = Math.Max(1e-6, expected.abs().max().ToDouble());
            (actual.sub(expected).abs().max().ToDouble() / scale).Should().BeLessThan(1e-3, name);
        }
    }

    private static (Tensor Gradient, Tensor Output) ForwardBackward(InceptionV1Model model, Tensor image)
    {
        Tensor? layer = null;
        var mixed4a = model.named_modules().Single(m => m.name == "mixed4a").module as nn.Module<Tensor, Tensor>;
        var hook = mixed4a!.register_forward_hook((_, _, output) =>
        {
            layer = output.alias();
            return null!;
        });
        using var input = image.detach().requires_grad_(true);
        using var output = model.call(input);
        using var objective = layer!.select(1, 3).mean();
        var gradient = torch.autograd.grad([objective], [input])[0];
        hook.remove();
        layer.Dispose();
        return (gradient, output.detach().clone());
    }
}
