using Lucent.Net.ModelZoo.InceptionV1;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

public class LocalResponseNormalizationTests
{
    public LocalResponseNormalizationTests() => Lucent.Net.Runtime.LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData(2, 12, 5, 7)]
    [InlineData(1, 64, 4, 4)]
    [InlineData(3, 5, 3, 2)]
    public void Matches_LibTorch_local_response_norm_in_value_and_gradient(int batch, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(42, torch.CPU);
        var x = torch.rand([batch, channels, height, width], generator: generator).mul(250).sub(20).requires_grad_(true);
        var upstream = torch.randn([batch, channels, height, width], generator: generator);

        var expected = nn.functional.local_response_norm(x, InceptionV1Model.LrnSize, InceptionV1Model.LrnAlpha, InceptionV1Model.LrnBeta, InceptionV1Model.LrnK);
        var actual = InceptionV1Model.LocalResponseNormalization(x);
        var expectedGrad = torch.autograd.grad([expected], [x], [upstream])[0];
        var actualGrad = torch.autograd.grad([actual], [x], [upstream])[0];

        actual.shape.Should().Equal(expected.shape);
        actual.sub(expected).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-6 * expected.abs().max().ToDouble());
        actualGrad.sub(expectedGrad).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-5 * (expectedGrad.abs().max().ToDouble() + 1e-12));
    }

    [Fact]
    public void Normalises_each_channel_by_the_squares_of_its_nine_neighbours()
    {
        using var scope = NewDisposeScope();
        // One pixel, 12 channels, all 10 except channel 0 which is 20: channel 6 sees channels 2..10 (all 10s).
        var values = Enumerable.Repeat(10f, 12).ToArray();
        values[0] = 20f;
        var x = torch.tensor(values).view(1, 12, 1, 1);
        var y = InceptionV1Model.LocalResponseNormalization(x);

        double expected6 = 10 / Math.Pow(1 + (InceptionV1Model.LrnAlpha * 900 / 9), 0.5);
        // Channel 0 sees channels -4..4: four zero pads, 20^2 and four 10^2.
        double expected0 = 20 / Math.Pow(1 + (InceptionV1Model.LrnAlpha * (400 + 400) / 9), 0.5);
        y[0, 6, 0, 0].ToDouble().Should().BeApproximately(expected6, 1e-5);
        y[0, 0, 0, 0].ToDouble().Should().BeApproximately(expected0, 1e-5);
    }
}
