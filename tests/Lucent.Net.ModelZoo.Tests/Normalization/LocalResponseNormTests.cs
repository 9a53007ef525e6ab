using Lucent.Net.ModelZoo.Normalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Normalization;

/// <summary>The shared local response normalisation with other constants than InceptionV1's (ONNX's LRN: even sizes, beta other than 1/2).</summary>
public class LocalResponseNormTests
{
    public LocalResponseNormTests() => Lucent.Net.Runtime.LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData(5, 0.75, 2.0, 7, false)]
    [InlineData(5, 0.75, 2.0, 70, true)]
    [InlineData(4, 0.75, 1.0, 40, false)] // even size: one channel before the centre, two after (ONNX)
    [InlineData(4, 0.75, 1.0, 96, true)]
    [InlineData(2, 0.5, 1.5, 33, true)]
    [InlineData(11, 1.25, 1.0, 64, false)]
    public void Onnx_constants_match_a_float64_reference_in_value_and_gradient(int size, double beta, double bias, int channels, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(21, torch.CPU);
        var spec = LrnSpec.Onnx(size, 1e-3, beta, bias);
        var x = torch.rand([2, channels, 3, 4], generator: generator).mul(60).sub(20);
        var upstream = torch.randn([2, channels, 3, 4], generator: generator);
        if (channelsLast)
        {
            x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        }

        x.requires_grad_(true);
        var actual = LocalResponseNorm.Apply(x, spec);
        var actualGrad = torch.autograd.grad([actual], [x], [upstream])[0];

        var x64 = x.detach().to(ScalarType.Float64).requires_grad_(true);
        var expected = Reference(x64, spec);
        var expectedGrad = torch.autograd.grad([expected], [x64], [upstream.to(ScalarType.Float64)])[0];

        actual.to(ScalarType.Float64).sub(expected).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-5 * expected.abs().max().ToDouble());
        actualGrad.to(ScalarType.Float64).sub(expectedGrad).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-5 * expectedGrad.abs().max().ToDouble());
    }

    [Fact]
    public void The_window_of_an_even_size_follows_onnx_one_channel_before_and_two_after()
    {
        using var scope = NewDisposeScope();
        var values = new float[8];
        values[1] = 100;
        values[5] = 10;
        values[7] = 20;
        var x = torch.tensor(values).view(1, 8, 1, 1);
        var y = LocalResponseNorm.Apply(x, LrnSpec.Onnx(4, 0.04, 1.0, 1.0)); // scale 0.01, beta 1

        // Channel 5's window is 4..7, which holds channel 7 (PyTorch's, 3..6, would not): 1 + 0.01 * (100 + 400) = 6.
        y[0, 5, 0, 0].ToDouble().Should().BeApproximately(10 / 6.0, 1e-5);
        // Channel 7's window is 6..9: 1 + 0.01 * 400 = 5.
        y[0, 7, 0, 0].ToDouble().Should().BeApproximately(20 / 5.0, 1e-5);
        // Channel 1's window is 0..3: 1 + 0.01 * 10000 = 101.
        y[0, 1, 0, 0].ToDouble().Should().BeApproximately(100 / 101.0, 1e-5);
        y.abs().sum().ToDouble().Should().BeApproximately((10 / 6.0) + 4 + (100 / 101.0), 1e-4, "channels whose input is 0 stay 0");
    }

    /// <summary>The definition, spelt out with a padded sum over shifted channel slices (autograd differentiates it).</summary>
    private static Tensor Reference(Tensor x, LrnSpec spec)
    {
        long channels = x.shape[1];
        var squares = nn.functional.pad(x.mul(x), [0, 0, 0, 0, spec.Before, spec.After]);
        Tensor sum = squares.narrow(1, 0, channels);
        for (int k = 1; k < spec.Size; k++)
        {
            sum = sum.add(squares.narrow(1, k, channels));
        }

        return x.div(sum.mul(spec.Alpha / spec.Size).add(spec.Bias).pow(spec.Beta));
    }
}
