using Lucent.Net.Parameterization;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Transparency;

/// <summary>The RGBA image (Lucid's <c>image(..., alpha=True)</c>): shape, formula, range and gradients.</summary>
public sealed class RgbaParameterizationTests
{
    public RgbaParameterizationTests() => LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData(true, 9, 6, 2)]
    [InlineData(false, 8, 8, 1)]
    public void Rgba_image_has_four_channels_in_unit_range(bool fft, int width, int height, int batch)
    {
        using var image = ImageParameterizations.Rgba(width, height, standardDeviation: 1.0, batch: batch, fft: fft, seed: 3);
        using var scope = NewDisposeScope();
        var pixels = image.CreateImage();

        image.Shape.Should().Be(new ImageShape(batch, 4, height, width));
        image.Alpha.Should().BeTrue();
        image.Name.Should().Contain("alpha").And.Contain("channels 4");
        pixels.shape.Should().Equal(batch, 4, height, width);
        pixels.min().ToSingle().Should().BeGreaterThan(0f);
        pixels.max().ToSingle().Should().BeLessThan(1f);
    }

    [Fact]
    public void Rgb_is_decorrelated_then_sigmoid_and_alpha_is_sigmoid_alone_as_in_lucid()
    {
        using var image = ImageParameterizations.Image(new ImageOptions(5) { Height = 3, Fft = false, Alpha = true }, seed: 1);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            image.Parameters[0].copy_(torch.tensor(LucidTransparencyFixture.Raw(), [1, 4, 3, 5]));
        }

        float[] actual = image.CreateImage().data<float>().ToArray();
        double[] expected = LucidTransparencyFixture.Doubles(LucidTransparencyFixture.Data.GetProperty("rgba_image").GetProperty("image"));
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            ((double)actual[i]).Should().BeApproximately(expected[i], 1e-6, $"element {i}");
        }
    }

    [Fact]
    public void Alpha_gets_its_own_gradient_and_rgb_theirs()
    {
        using var image = ImageParameterizations.Image(new ImageOptions(4) { Fft = false, Alpha = true }, seed: 2);
        var parameter = image.Parameters[0];
        using (var scope = NewDisposeScope())
        {
            image.CreateImage().narrow(1, 3, 1).sum().backward();
            var grad = parameter.grad!;
            grad.narrow(1, 0, 3).abs().max().ToSingle().Should().Be(0f, "alpha does not depend on the RGB parameters");
            grad.narrow(1, 3, 1).abs().min().ToSingle().Should().BeGreaterThan(0f);
        }

        parameter.grad!.zero_();
        using (var scope = NewDisposeScope())
        {
            image.CreateImage().narrow(1, 0, 3).sum().backward();
            var grad = parameter.grad!;
            grad.narrow(1, 3, 1).abs().max().ToSingle().Should().Be(0f, "colour decorrelation mixes RGB only");
            grad.narrow(1, 0, 3).abs().max().ToSingle().Should().BeGreaterThan(0f);
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_rgba_image_and_the_options_report_four_channels()
    {
        using var a = ImageParameterizations.Rgba(6, seed: 5);
        using var b = ImageParameterizations.Image(new ImageOptions(6) { Alpha = true }, seed: 5);
        using var scope = NewDisposeScope();
        a.CreateImage().data<float>().ToArray().Should().Equal(b.CreateImage().data<float>().ToArray());
        new ImageOptions(6) { Alpha = true }.EffectiveChannels.Should().Be(4);
        new ImageOptions(6).EffectiveChannels.Should().Be(3);
    }

    [Fact]
    public void Alpha_with_a_custom_channel_count_is_rejected()
    {
        var act = () => ImageParameterizations.Image(new ImageOptions(6) { Alpha = true, Channels = 4 });
        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*Alpha*Channels = 4*Set one of them only*");
    }
}
