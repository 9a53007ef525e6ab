using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>
/// The model's fast operations (convolution and pool padding inside the kernels, LRN through
/// avg_pool2d) against Lucent's own (separate pad copies, local_response_norm), which the
/// benchmarks' Lucent-faithful loop runs.
/// </summary>
public sealed class LucentKernelsTests
{
    public LucentKernelsTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Lucents_kernels_give_the_same_layers_and_input_gradient_as_the_fast_ones()
    {
        using var fast = new InceptionV1Model();
        using var lucent = new InceptionV1Model(new InceptionV1Options { UseLucentKernels = true });
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
        foreach (var (name, expected) in fastRecorder.Outputs)
        {
            var actual = lucentRecorder.Outputs[name];
            actual.shape.Should().Equal(expected.shape, name);
            double scale = Math.Max(1e-6, expected.abs().max().ToDouble());
            // Float rounding (LRN as a matrix product vs avg_pool3d) grows through ~60 layers; 1e-3 is the
            // tolerance the float64 PyTorch reference test uses too.
            (actual.sub(expected).abs().max().ToDouble() / scale).Should().BeLessThan(1e-3, name);
        }

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
