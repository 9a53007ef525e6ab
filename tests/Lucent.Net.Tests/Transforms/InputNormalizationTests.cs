using Lucent.Net.Runtime;
using Lucent.Net.Transforms;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Transforms;

public class InputNormalizationTests
{
    public InputNormalizationTests() => LucentRuntime.EnsureInitialized();

    /// <summary>A (1, 3, 1, 2) image: pixel 0 is (r, g, b) = (0.2, 0.5, 0.8), pixel 1 is (1, 0, 0.25).</summary>
    private static Tensor Image() => tensor(new float[] { 0.2f, 1f, 0.5f, 0f, 0.8f, 0.25f }, [1, 3, 1, 2]);

    private static float[] Normalize(InputNormalization normalization)
    {
        using var image = Image();
        using var result = normalization.Apply(image, TransformContext.FromSeed(0));
        result.shape.Should().Equal(1, 3, 1, 2);
        return result.data<float>().ToArray();
    }

    [Fact]
    public void Imagenet_subtracts_the_mean_and_divides_by_the_deviation_in_rgb()
    {
        Normalize(InputNormalization.ImageNet).Should().Equal(
            [(0.2f - 0.485f) / 0.229f, (1f - 0.485f) / 0.229f, (0.5f - 0.456f) / 0.224f, (0f - 0.456f) / 0.224f, (0.8f - 0.406f) / 0.225f, (0.25f - 0.406f) / 0.225f],
            (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Imagenet_matches_the_renderers_default_normalisation()
    {
        using var image = Image();
        using var expected = new ImageNetNormalizeTransform().Apply(image);
        Normalize(InputNormalization.ImageNet).Should().Equal(expected.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void None_keeps_the_image_and_0_255_scales_it()
    {
        Normalize(InputNormalization.None).Should().Equal([0.2f, 1f, 0.5f, 0f, 0.8f, 0.25f]);
        Normalize(InputNormalization.Range255).Should().Equal([51f, 255f, 127.5f, 0f, 204f, 63.75f], (a, b) => Math.Abs(a - b) < 1e-4);
    }

    [Fact]
    public void Caffe_reorders_to_bgr_scales_to_255_and_subtracts_the_mean()
    {
        // Channel 0 of the model's input is blue (0.8, 0.25) * 255 - 103.939, channel 2 red (0.2, 1) * 255 - 123.68.
        Normalize(InputNormalization.Caffe).Should().Equal(
            [204f - 103.939f, 63.75f - 103.939f, 127.5f - 116.779f, 0f - 116.779f, 51f - 123.68f, 255f - 123.68f],
            (a, b) => Math.Abs(a - b) < 1e-3);
    }

    [Fact]
    public void Inception_maps_0_1_to_minus_1_1()
    {
        Normalize(InputNormalization.Inception).Should().Equal([-0.6f, 1f, 0f, -1f, 0.6f, -0.5f], (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Parse_reads_presets_case_insensitively_and_custom_specs()
    {
        InputNormalization.Parse(" ImageNet ").Should().BeSameAs(InputNormalization.ImageNet);
        InputNormalization.Parse("0-255").Should().BeSameAs(InputNormalization.Range255);
        var custom = InputNormalization.Parse("mean=1,2,3; std=2,4,8; range=0-255; order=bgr");
        custom.Preset.Should().Be("custom");
        custom.Bgr.Should().BeTrue();
        custom.Scale.Should().Be(255);
        Normalize(custom).Should().Equal(
            [(204f - 1) / 2, (63.75f - 1) / 2, (127.5f - 2) / 4, (0f - 2) / 4, (51f - 3) / 8, (255f - 3) / 8],
            (a, b) => Math.Abs(a - b) < 1e-4);
        custom.Description.Should().Be("custom (BGR, 0-255, mean 1,2,3, std 2,4,8)");
        InputNormalization.ImageNet.Description.Should().Be("imagenet (RGB, 0-1, mean 0.485,0.456,0.406, std 0.229,0.224,0.225)");
    }

    [Theory]
    [InlineData("imagenett", "Unknown input normalisation 'imagenett'")]
    [InlineData("mean=1,2", "needs 3 comma-separated numbers")]
    [InlineData("std=1,0,1", "3 positive finite values")]
    [InlineData("range=0-100", "range must be 0-1 or 0-255")]
    [InlineData("order=rbg", "order must be rgb or bgr")]
    [InlineData("mean=a,b,c", "is not a number")]
    [InlineData("scale=2", "Unknown input normalisation part 'scale'")]
    public void Parse_rejects_bad_text_saying_what_is_accepted(string text, string message)
    {
        var parse = () => InputNormalization.Parse(text);
        parse.Should().Throw<FormatException>().WithMessage($"*{message}*");
    }

    [Fact]
    public void Bad_arguments_and_images_are_refused()
    {
        var negative = () => new InputNormalization("x", 1, [0, 0, 0], [1, -1, 1], bgr: false);
        negative.Should().Throw<ArgumentException>().WithMessage("*positive*");
        var scale = () => new InputNormalization("x", 0, [0, 0, 0], [1, 1, 1], bgr: false);
        scale.Should().Throw<ArgumentException>().WithMessage("*scale*");
        using var gray = zeros(1, 1, 2, 2);
        var apply = () => InputNormalization.ImageNet.Apply(gray);
        apply.Should().Throw<ArgumentException>().WithMessage("*(batch, 3, height, width)*");
    }
}
