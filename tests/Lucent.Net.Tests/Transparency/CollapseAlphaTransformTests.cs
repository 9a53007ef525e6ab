using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Lucent.Net.Testing;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Transparency;

/// <summary>Compositing RGBA over a random background (Lucid's <c>collapse_alpha_random</c>) and where the renderer puts it.</summary>
public sealed class CollapseAlphaTransformTests
{
    public CollapseAlphaTransformTests() => LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData(AlphaBackground.FftNoise)]
    [InlineData(AlphaBackground.Uniform)]
    public void Composite_is_alpha_times_rgb_plus_one_minus_alpha_times_the_seeded_background(AlphaBackground kind)
    {
        var transform = new CollapseAlphaTransform(kind);
        using var scope = NewDisposeScope();
        using var g0 = new Generator(10, torch.CPU);
        using var g1 = new Generator(11, torch.CPU);
        using var g2 = new Generator(11, torch.CPU);
        var image = torch.rand([2, 4, 6, 7], generator: g0);
        var background = transform.DrawBackground(2, 6, 7, g2);
        var composite = transform.Apply(image, new TransformContext(g1));

        var rgb = image.narrow(1, 0, 3);
        var alpha = image.narrow(1, 3, 1);
        var expected = alpha * rgb + (1 - alpha) * background;
        composite.shape.Should().Equal(2, 3, 6, 7);
        composite.allclose(expected, rtol: 0, atol: 1e-6).Should().BeTrue();
        background.min().ToSingle().Should().BeGreaterThanOrEqualTo(0f);
        background.max().ToSingle().Should().BeLessThanOrEqualTo(1f);
    }

    [Fact]
    public void Same_seed_same_composite_and_a_new_background_every_call()
    {
        var transform = new CollapseAlphaTransform();
        using var scope = NewDisposeScope();
        var image = torch.full([1, 4, 8, 8], 0.5f);
        using var g1 = new Generator(3, torch.CPU);
        using var g2 = new Generator(3, torch.CPU);
        var c1 = new TransformContext(g1);
        var c2 = new TransformContext(g2);
        var first = transform.Apply(image, c1);
        var again = transform.Apply(image, c2);
        var second = transform.Apply(image, c1);

        first.data<float>().ToArray().Should().Equal(again.data<float>().ToArray());
        first.data<float>().ToArray().Should().NotEqual(second.data<float>().ToArray(), "each step draws a new background");
    }

    [Fact]
    public void Opaque_pixels_pass_through_and_transparent_ones_show_only_the_background()
    {
        var transform = new CollapseAlphaTransform();
        using var scope = NewDisposeScope();
        using var g = new Generator(4, torch.CPU);
        var rgb = torch.rand([1, 3, 5, 5], generator: g);
        var opaque = transform.Apply(torch.cat([rgb, torch.ones(1, 1, 5, 5)], 1), new TransformContext(g));
        opaque.allclose(rgb, rtol: 0, atol: 0).Should().BeTrue();

        using var g1 = new Generator(9, torch.CPU);
        using var g2 = new Generator(9, torch.CPU);
        var clear = transform.Apply(torch.cat([rgb, torch.zeros(1, 1, 5, 5)], 1), new TransformContext(g1));
        clear.allclose(transform.DrawBackground(1, 5, 5, g2), rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Lucids_fft_background_is_smoother_than_uniform_noise()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1, torch.CPU);
        var fft = new CollapseAlphaTransform().DrawBackground(4, 32, 32, g);
        var uniform = new CollapseAlphaTransform(AlphaBackground.Uniform).DrawBackground(4, 32, 32, g);
        double Roughness(Tensor t) => (t.narrow(3, 1, 31) - t.narrow(3, 0, 31)).abs().mean().ToDouble();

        Roughness(fft).Should().BeLessThan(Roughness(uniform) / 2);
        fft.std().ToDouble().Should().BeGreaterThan(0.01, "the background is noise, not a flat colour");
    }

    [Fact]
    public void Gradients_reach_alpha_through_the_composite()
    {
        var transform = new CollapseAlphaTransform();
        using var scope = NewDisposeScope();
        using var image = torch.full([1, 4, 4, 4], 0.5f).requires_grad_(true);
        using var g = new Generator(2, torch.CPU);
        transform.Apply(image, new TransformContext(g)).sum().backward();
        image.grad!.narrow(1, 3, 1).abs().max().ToSingle().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void Bad_arguments_and_rgb_images_are_rejected_clearly()
    {
        var sd = () => new CollapseAlphaTransform(standardDeviation: 0);
        sd.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("standardDeviation");
        var kind = () => new CollapseAlphaTransform((AlphaBackground)7);
        kind.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("background");

        using var scope = NewDisposeScope();
        using var g = new Generator(2, torch.CPU);
        var rgb = () => new CollapseAlphaTransform().Apply(torch.zeros(1, 3, 4, 4), new TransformContext(g));
        rgb.Should().Throw<ArgumentException>().WithMessage("*needs 4 channels (R, G, B, alpha)*[1, 3, 4, 4]*ImageOptions.Alpha*");
        new CollapseAlphaTransform().Name.Should().Be("collapse_alpha_random(sd=0.5)");
        new CollapseAlphaTransform(AlphaBackground.Uniform).Name.Should().Be("collapse_alpha_uniform()");
    }

    [Fact]
    public void The_renderer_composites_rgba_images_first_and_only_once()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [Transform.Jitter(2)], FixedImageSize = (8, 8) };
        var rgba = Renderer.BuildPipeline(model, options, new ImageShape(1, 4, 8, 8));
        rgba[0].Should().BeOfType<CollapseAlphaTransform>();
        rgba[1].Should().BeOfType<JitterTransform>();

        Renderer.BuildPipeline(model, options, new ImageShape(1, 3, 8, 8)).Should().NotContain(t => t is CollapseAlphaTransform);

        var own = new CollapseAlphaTransform(AlphaBackground.Uniform);
        var custom = Renderer.BuildPipeline(model, options with { Transforms = [Transform.Compose(Transform.Jitter(2), own)] }, new ImageShape(1, 4, 8, 8));
        custom.Where(CollapseAlphaTransform.IsIn).Should().ContainSingle("the user's compositing is kept and not doubled");
        custom[0].Should().BeOfType<TransformPipeline>();
    }
}
