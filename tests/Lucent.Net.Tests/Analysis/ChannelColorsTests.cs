using System.Text.Json;
using Lucent.Net.Analysis;
using TorchSharp;
using static Lucent.Net.Tests.Analysis.AnalysisFixture;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Analysis;

/// <summary>
/// <see cref="ChannelColors"/> against Lucent's <c>collapse_channels</c> module run in Python
/// (Fixtures/analysis/collapse_channels.json, made by Fixtures/make_fixtures.py).
/// </summary>
public class ChannelColorsTests
{
    private static readonly JsonElement Fixture = Load("collapse_channels.json");

    [Theory]
    [InlineData(true, "warp")]
    [InlineData(false, "nowarp")]
    public void HueToRgb_matches_lucent(bool warp, string key)
    {
        var hues = Fixture.GetProperty("hue_to_rgb");
        double[] angles = Doubles(hues.GetProperty("angles"));
        var expected = hues.GetProperty(key).EnumerateArray().Select(Doubles).ToArray();
        for (int i = 0; i < angles.Length; i++)
        {
            var (r, g, b) = ChannelColors.HueToRgb(angles[i], warp);
            new[] { r, g, b }.Should().Equal(expected[i], (a, e) => Math.Abs(a - e) < 1e-12, $"hue {angles[i]}");
        }
    }

    [Fact]
    public void HueToRgb_puts_the_primaries_at_0_120_and_240_degrees()
    {
        // Lucent's own test.
        ChannelColors.HueToRgb(0).Should().Be((1.0, 0.0, 0.0));
        ChannelColors.HueToRgb(120).Should().Be((0.0, 1.0, 0.0));
        ChannelColors.HueToRgb(240).Should().Be((0.0, 0.0, 1.0));
        ChannelColors.HueToRgb(-1e-20).Should().Be((1.0, 0.0, 0.0));
    }

    [Fact]
    public void SparseChannelsToRgb_and_CollapseChannels_match_lucent_on_non_negative_channels()
    {
        using var x = Tensor(Fixture.GetProperty("sparse_input"));
        using var sparse = ChannelColors.SparseChannelsToRgb(x);
        using var collapsed = ChannelColors.CollapseChannels(x);
        MaxAbsDifference(sparse, Fixture.GetProperty("sparse_rgb")).Should().BeLessThan(1e-12);
        MaxAbsDifference(collapsed, Fixture.GetProperty("sparse_collapse")).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void CollapseChannels_matches_lucent_on_channels_of_both_signs()
    {
        using var x = Tensor(Fixture.GetProperty("mixed_input"));
        using var collapsed = ChannelColors.CollapseChannels(x);
        MaxAbsDifference(collapsed, Fixture.GetProperty("mixed_collapse")).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void CollapseChannels_matches_lucent_on_a_single_channel()
    {
        using var x = Tensor(Fixture.GetProperty("one_input"));
        using var collapsed = ChannelColors.CollapseChannels(x);
        MaxAbsDifference(collapsed, Fixture.GetProperty("one_collapse")).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void One_hot_red_green_blue_channels_come_back_as_themselves()
    {
        // Lucent's own test: three one-hot channels map to (nearly) the identity.
        using var eye = torch.eye(3, dtype: ScalarType.Float32);
        using var rgb = ChannelColors.SparseChannelsToRgb(eye);
        rgb.dtype.Should().Be(ScalarType.Float32);
        using var expected = torch.eye(3, dtype: ScalarType.Float32);
        rgb.allclose(expected, atol: 1e-4).Should().BeTrue();
    }

    [Fact]
    public void The_output_has_three_channels_and_the_leading_shape()
    {
        using var x = torch.rand([2, 3, 4, 9], generator: new Generator(4));
        using var rgb = ChannelColors.CollapseChannels(x);
        rgb.shape.Should().Equal([2, 3, 4, 3]);
    }

    [Fact]
    public void Bad_input_is_refused_with_the_reason()
    {
        using var negative = torch.tensor(new[] { 1.0, -2.0 });
        using var nan = torch.tensor(new[] { 1.0, double.NaN });
        using var empty = torch.zeros([3, 0]);
        using var flags = torch.ones([2, 2], dtype: ScalarType.Bool);
        FluentActions.Invoking(() => ChannelColors.SparseChannelsToRgb(negative)).Should().Throw<ArgumentException>().WithMessage("*non-negative*CollapseChannels*");
        FluentActions.Invoking(() => ChannelColors.CollapseChannels(nan)).Should().Throw<ArgumentException>().WithMessage("*NaN*");
        FluentActions.Invoking(() => ChannelColors.CollapseChannels(empty)).Should().Throw<ArgumentException>().WithMessage("*at least one channel*");
        FluentActions.Invoking(() => ChannelColors.CollapseChannels(flags)).Should().Throw<ArgumentException>().WithMessage("*real numbers*");
        FluentActions.Invoking(() => ChannelColors.CollapseChannels(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => ChannelColors.HueToRgb(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
