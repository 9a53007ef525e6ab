using Lucent.Net.Expressions;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Lucent.Net.Testing;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Expressions;

/// <summary>
/// Transform arguments are bounded when parsed (issue 19, item 9), and so is the image a whole pipeline can make:
/// absurd but finite values are refused with a message naming the argument and the bound, before LibTorch sees them.
/// </summary>
public sealed class TransformBoundsTests
{
    public TransformBoundsTests() => LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData("pad(1e9)", "pad width must be between 0 and 4096 pixels per side; got 1000000000")]
    [InlineData("pad(12000)", "pad width must be between 0 and 4096 pixels per side; got 12000")]
    [InlineData("pad(4097, mode=constant)", "got 4097")]
    [InlineData("jitter(1e9)", "Jitter distance d must be at most 4096 pixels, got 1000000000")]
    [InlineData("jitter(2147483647)", "Jitter distance d must be at most 4096 pixels, got 2147483647")]
    [InlineData("random_scale([1e9])", "Every scale must be greater than 0 and at most 10; got 1000000000")]
    [InlineData("random_scale([1, 10.5])", "at most 10; got 10.5")]
    [InlineData("random_scale([1e-9, 0])", "greater than 0 and at most 10; got 0")]
    [InlineData("resize(1e9)", "output height must be between 1 and 4096 pixels; got 1000000000")]
    [InlineData("resize(30000)", "output height must be between 1 and 4096 pixels; got 30000")]
    [InlineData("resize(224, 4097)", "output width must be between 1 and 4096 pixels; got 4097")]
    [InlineData("random_rotate([1e308])", "Every angle must be between -360 and 360 degrees (one full turn); got 1E+308")]
    [InlineData("random_rotate([0, -361])", "got -361")]
    [InlineData("random_rotate([7], unit=radians)", "Every angle must be between -6.283185307179586 and 6.283185307179586 radians (one full turn); got 7")]
    public void Absurd_arguments_are_refused_naming_the_argument_and_the_bound(string expression, string part)
    {
        var error = FluentActions.Invoking(() => TransformExpression.Parse(expression)).Should().Throw<TransformExpressionException>().Which;
        error.Message.Should().Contain("rejected its arguments").And.Contain(part).And.NotContain("(Parameter '", "the message names the argument itself");
        error.Column.Should().Be(1);
    }

    [Theory]
    [InlineData("pad(4096)")]
    [InlineData("jitter(4096)")]
    [InlineData("random_scale([1e-9, 10])")]
    [InlineData("random_rotate([-360, 360])")]
    [InlineData("random_rotate([-6.283185307179586, 6.283185307179586], radians)")]
    [InlineData("resize(4096, 1)")]
    public void Arguments_at_the_bounds_parse(string expression) =>
        TransformExpression.Parse(expression).Should().NotBeNull();

    [Fact]
    public void A_configured_step_names_its_key_and_the_bound()
    {
        var error = FluentActions.Invoking(() => TransformExpression.FromArguments("pad", [new("Width", "12000")], "Lucent:Pipelines:big:0"))
            .Should().Throw<TransformExpressionException>().Which;
        error.Message.Should().Be("Lucent:Pipelines:big:0: the transform 'pad' rejected its arguments: The pad width must be between 0 and 4096 pixels per side; got 12000.");
    }

    [Theory]
    [InlineData(11, "random_scale([2])")]
    [InlineData(60, "standard")]
    [InlineData(2, "pad(4000)")]
    [InlineData(1, "resize(4096), pad(2049)")]
    public void Pipelines_that_could_make_images_over_8192_pixels_a_side_are_refused_before_rendering(int times, string step)
    {
        var pipeline = TransformExpression.ParsePipeline(string.Join(", ", Enumerable.Repeat(step, times)));
        var options = new RenderOptions { Transforms = pipeline.Transforms };
        var error = FluentActions.Invoking(options.Validate).Should().Throw<InvalidRenderOptionsException>().Which;
        error.ParamName.Should().Be(nameof(RenderOptions.Transforms));
        error.Message.Should().Contain("from the standard image (128x128)").And.Contain("at most 8192 pixels a side");
    }

    [Fact]
    public void The_limit_is_on_the_largest_image_of_any_step_not_only_the_last()
    {
        // 128 + 2 * 4032 = 8192: allowed; one more pixel of padding is not, even though a resize follows.
        new RenderOptions { Transforms = [new PadTransform(4032), new ResizeTransform(224)] }.Validate();
        var error = FluentActions.Invoking(new RenderOptions { Transforms = [new PadTransform(4033), new ResizeTransform(224)] }.Validate)
            .Should().Throw<InvalidRenderOptionsException>().Which;
        error.Message.Should().StartWith("The transforms could make images of up to 8194x8194 pixels from the standard image (128x128), at the step pad(4033, reflect)");
    }

    [Fact]
    public void The_renderer_checks_the_pipeline_against_the_parameterised_image_it_was_given()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [new PadTransform(2000)], Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, generator: g)) };
        options.Validate(); // a custom parameterisation's size is known only when it is made
        Renderer.BuildPipeline(model, options, new ImageShape(1, 3, 16, 16)).Should().NotBeEmpty();
        FluentActions.Invoking(() => Renderer.BuildPipeline(model, options, new ImageShape(1, 3, 4200, 16)))
            .Should().Throw<InvalidRenderOptionsException>().WithMessage("*up to 8200x4016 pixels from the parameterised image (4200x16)*");
    }

    [Fact]
    public void A_transform_that_refuses_the_image_is_reported_as_the_transforms_option()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [new PadTransform(100)], Parameterization = new ImageOptions(16), Thresholds = [1], FixedImageSize = (16, 16) };
        var error = FluentActions.Invoking(() => Renderer.Render(model, "conv2:3", options)).Should().Throw<InvalidRenderOptionsException>().Which;
        error.ParamName.Should().Be(nameof(RenderOptions.Transforms));
        error.Message.Should().StartWith("The transforms cannot be applied to the 16x16 image: Reflect padding by 100 needs images larger than 100 pixels");
        error.InnerException.Should().BeOfType<ArgumentException>();
    }

    [Fact]
    public void Largest_image_size_follows_nested_pipelines_and_every_random_draw()
    {
        // Standard on 128: pad 12 -> 152, scale up to 1.1 -> ceil(167.2) = 168; jitter and rotate keep the size.
        TransformPipeline.LargestImageSize([TransformPipeline.Standard], 128, 128).Should().Be((168L, 168L));
        TransformPipeline.Standard.MaxOutputSize(128, 128).Should().Be((168L, 168L));
        TransformPipeline.LargestImageSize([Transform.Compose(new PadTransform(100), new ResizeTransform(10, 20)), new JitterTransform(2)], 50, 60)
            .Should().Be((250L, 260L), "the pad inside the nested pipeline makes the largest image");
        TransformPipeline.LargestImageSize([], 7, 9).Should().Be((7L, 9L));
        TransformPipeline.LargestImageSize(Enumerable.Repeat<IImageTransform>(new RandomScaleTransform([10]), 40), 128, 128).Height
            .Should().BeGreaterThan(TransformPipeline.MaxImageSide, "sizes saturate instead of overflowing");
    }

    [Theory]
    [InlineData(0.9, 7, 5)]
    [InlineData(0.5, 9, 12)]
    [InlineData(1.1, 16, 16)]
    [InlineData(2.5, 5, 3)]
    [InlineData(1e-9, 6, 6)]
    public void Random_scale_reports_the_size_its_rescale_makes(double scale, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var image = torch.zeros(1, 3, height, width);
        var made = RandomScaleTransform.Rescale(image, scale);
        new RandomScaleTransform([scale]).MaxOutputSize(height, width).Should().Be((made.shape[2], made.shape[3]));
    }

    [Fact]
    public void Rotating_by_any_finite_angle_gives_finite_pixels()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(7, torch.CPU);
        var image = torch.rand([1, 3, 9, 9], generator: generator);
        var huge = RandomRotateTransform.Rotate(image, 1e308);
        huge.isfinite().all().item<bool>().Should().BeTrue("whole turns are removed before the angle becomes radians");
        RandomRotateTransform.Rotate(image, 810).allclose(RandomRotateTransform.Rotate(image, 90), rtol: 0, atol: 1e-6).Should().BeTrue("810 degrees is 90 after two whole turns");
    }
}
