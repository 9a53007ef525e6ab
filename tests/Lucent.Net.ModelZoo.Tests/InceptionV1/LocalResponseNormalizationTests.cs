using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.ModelZoo.Normalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

public class LocalResponseNormalizationTests
{
    public LocalResponseNormalizationTests() => Lucent.Net.Runtime.LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData(2, 12, 5, 7, false)]
    [InlineData(1, 64, 4, 4, false)]
    [InlineData(3, 5, 3, 2, false)]
    [InlineData(2, 192, 3, 4, false)]
    [InlineData(2, 70, 3, 2, false)]
    [InlineData(2, 12, 5, 7, true)]
    [InlineData(2, 64, 4, 4, true)]
    [InlineData(2, 192, 3, 4, true)]
    [InlineData(1, 70, 2, 3, true)]
    [InlineData(1, 33, 2, 3, true)]
    public void Matches_LibTorch_local_response_norm_in_value_and_gradient(int batch, int channels, int height, int width, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(42, torch.CPU);
        var x = torch.rand([batch, channels, height, width], generator: generator).mul(250).sub(20);
        var upstream = torch.randn([batch, channels, height, width], generator: generator);
        if (channelsLast)
        {
            x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
            upstream = upstream.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        }

        x.requires_grad_(true);

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

    [Theory]
    [InlineData(12)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(70)]
    [InlineData(192)]
    public void Window_sums_in_blocks_equal_the_full_band_product_in_both_layouts(int channels)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7, torch.CPU);
        var rows = torch.rand([3, 5, channels], generator: generator).mul(1000);
        var band = LrnBands.For(InceptionV1Model.Lrn, channels, ScalarType.Float32, torch.CPU);
        var full = torch.matmul(rows.to(ScalarType.Float64), band.to(ScalarType.Float64));

        var last = LrnWindow.SumLast(rows, InceptionV1Model.Lrn);
        var first = LrnWindow.SumChannelsFirst(rows.transpose(1, 2).contiguous(), InceptionV1Model.Lrn).transpose(1, 2);

        last.shape.Should().Equal(rows.shape);
        last.to(ScalarType.Float64).sub(full).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-6 * full.abs().max().ToDouble());
        first.to(ScalarType.Float64).sub(full).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-6 * full.abs().max().ToDouble());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_recorded_and_the_unrecorded_paths_give_the_same_values_and_the_node_the_composed_gradient(bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3, torch.CPU);
        var x = torch.rand([2, 192, 6, 5], generator: generator).mul(300);
        var upstream = torch.randn([2, 192, 6, 5], generator: generator);
        if (channelsLast)
        {
            x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        }

        x.requires_grad_(true);
        var recorded = InceptionV1Model.LocalResponseNormalization(x);
        Tensor unrecorded;
        using (no_grad())
        {
            unrecorded = InceptionV1Model.LocalResponseNormalization(x);
        }

        var composed = InceptionV1Model.ComposedLocalResponseNormalization(x);
        recorded.requires_grad.Should().BeTrue();
        recorded.Equals(unrecorded).Should().BeTrue("a render's forward pass and an evaluation must agree exactly");
        ChannelsLastLayout(recorded).Should().Be(channelsLast, "the output keeps the input's memory order");
        recorded.sub(composed).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-6 * composed.abs().max().ToDouble());

        var grad = torch.autograd.grad([recorded], [x], [upstream])[0];
        var composedGrad = torch.autograd.grad([composed], [x], [upstream])[0];
        grad.sub(composedGrad).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-5 * composedGrad.abs().max().ToDouble());
    }

    private static bool ChannelsLastLayout(Tensor t) => t.stride(1) == 1 && t.stride(3) == t.shape[1];
}
