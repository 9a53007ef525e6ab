using Lucent.Net.ModelZoo.Gan;
using Lucent.Net.Modules;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;
using ObjectiveFactories = Lucent.Net.Objectives.Objective;

namespace Lucent.Net.ModelZoo.Tests.Gan;

public sealed class GanImageParameterizationTests(ITestOutputHelper output)
{
    private static UpconvGenerator TinyPool5(long seed = 1) =>
        new(UpconvGanVariant.Pool5, GanFixtures.TinyWidths("pool5"), new UpconvGeneratorOptions { InitializationSeed = seed });

    /// <summary>
    /// The narrow pool5 generator saved by PyTorch (Fixtures/gan/pool5_tiny.pt): Lucent's layers at small widths, with
    /// weights scaled so that its output spans 0..255 like the pretrained one's (a seeded full-width generator's
    /// output is nearly constant, so a render through it barely moves).
    /// </summary>
    private static UpconvGenerator FixturePool5()
    {
        var generator = new UpconvGenerator(UpconvGanVariant.Pool5, GanFixtures.TinyWidths("pool5"));
        using var stateDict = Lucent.Net.ModelZoo.Checkpoints.PyTorchCheckpoint.ReadStateDict(GanFixtures.TinyPath("pool5"));
        generator.LoadStateDict(stateDict);
        return generator;
    }

    [Fact]
    public void The_only_parameter_is_the_code_and_the_image_is_the_visualised_generator_output()
    {
        LucentRuntime.EnsureInitialized();
        using var generator = TinyPool5();
        using var parameterization = new GanImageParameterization(generator, new GanImageOptions { Batch = 2 }, seed: 7);

        parameterization.Parameters.Should().ContainSingle().Which.Should().BeSameAs(parameterization.Code);
        parameterization.Code.shape.Should().Equal(2, 4, 6, 6);
        parameterization.Shape.Should().Be(new ImageShape(2, 3, 256, 256));
        parameterization.Name.Should().Be("gan(pool5, batch 2)");
        using var scope = NewDisposeScope();
        var image = parameterization.CreateImage();
        image.allclose(generator.Visualize(parameterization.Code), rtol: 0, atol: 0).Should().BeTrue();
        parameterization.Code.std().item<float>().Should().BeInRange(0.8f, 1.2f, "the code starts normal with standard deviation 1 (Lucent's sd=1)");
    }

    [Fact]
    public void The_same_seed_gives_the_same_code_and_another_seed_another()
    {
        LucentRuntime.EnsureInitialized();
        using var generator = TinyPool5();
        using var a = new GanImageParameterization(generator, seed: 3);
        using var b = new GanImageParameterization(generator, seed: 3);
        using var c = new GanImageParameterization(generator, new GanImageOptions { StandardDeviation = 0.5 }, seed: 4);

        a.Code.allclose(b.Code, rtol: 0, atol: 0).Should().BeTrue();
        a.Code.allclose(c.Code, rtol: 0, atol: 0).Should().BeFalse();
    }

    [Fact]
    public void The_factory_draws_each_code_from_the_render_generator_and_disposing_leaves_the_generator_usable()
    {
        LucentRuntime.EnsureInitialized();
        using var generator = TinyPool5();
        var factory = GanImageParameterization.Factory(generator, new GanImageOptions { Batch = 3 });
        using var randomA = new Generator(9);
        using var randomB = new Generator(9);

        var a = factory(randomA);
        using var b = factory(randomB);
        a.Parameters[0].allclose(b.Parameters[0], rtol: 0, atol: 0).Should().BeTrue("the code comes from the render's seeded generator");
        a.Shape.Batch.Should().Be(3);
        a.Dispose();

        FluentActions.Invoking(() => a.CreateImage()).Should().Throw<ObjectDisposedException>();
        using var scope = NewDisposeScope();
        b.CreateImage().shape.Should().Equal(3, 3, 256, 256);
        generator.Visualize(zeros(1, 4, 6, 6)).shape.Should().Equal(1, 3, 256, 256);
    }

    [Fact]
    public void Gradients_reach_the_code_and_never_the_generator_weights()
    {
        LucentRuntime.EnsureInitialized();
        using var generator = FixturePool5();
        using var parameterization = new GanImageParameterization(generator, seed: 1);
        using (var scope = NewDisposeScope())
        {
            var image = parameterization.CreateImage();
            image.requires_grad.Should().BeTrue();
            image[.., 0].mean().backward();
        }

        using var grad = parameterization.Code.grad;
        grad.Should().NotBeNull();
        grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
        GeneratorIsFrozenWithoutGradients(generator).Should().BeTrue();
    }

    [Fact]
    public void Bad_settings_and_an_unfrozen_generator_are_refused_with_what_to_change()
    {
        LucentRuntime.EnsureInitialized();
        using var generator = TinyPool5();
        using var random = new Generator(1);

        FluentActions.Invoking(() => new GanImageParameterization(generator, new GanImageOptions { Batch = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*batch size must be at least 1*");
        FluentActions.Invoking(() => new GanImageParameterization(generator, new GanImageOptions { StandardDeviation = double.NaN }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*standard deviation*positive*");
        FluentActions.Invoking(() => new GanImageParameterization(generator, random: random, seed: 1))
            .Should().Throw<ArgumentException>().WithMessage("*either*not both*");
        FluentActions.Invoking(() => new GanImageParameterization(null!)).Should().Throw<ArgumentNullException>();

        generator.parameters().First().requires_grad = true;
        FluentActions.Invoking(() => new GanImageParameterization(generator))
            .Should().Throw<ArgumentException>().WithMessage("*must be frozen*requires_grad*");
    }

    [Fact]
    public void A_render_through_the_pool5_generator_raises_a_channel_of_a_small_network()
    {
        // The pool5 architecture at the fixture's small widths (the full-width one takes about 4 s a step on two
        // CPU cores), no random transforms, 6 steps. A 5x5 convolution with stride 4 is the network; its channel 0
        // is the objective.
        LucentRuntime.EnsureInitialized();
        using var generator = FixturePool5();
        using var model = nn.Sequential(("conv", nn.Conv2d(3, 4, 5, stride: 4)), ("relu", nn.ReLU()));
        SeededInitialization.Reinitialize(model, 3);
        var options = new RenderOptions
        {
            Parameterization = GanImageParameterization.Factory(generator),
            Transforms = [],
            Thresholds = [6],
            Seed = 5,
        };

        var result = Renderer.Render(model, ObjectiveFactories.Channel("conv", 0), options);

        output.WriteLine($"objective: start {-result.InitialLoss:G6}, end {-result.FinalLoss:G6}; {string.Join(", ", result.Losses.Select(l => (-l).ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}");
        (result.FinalImages.Batch, result.FinalImages.Channels, result.FinalImages.Height, result.FinalImages.Width).Should().Be((1, 3, 256, 256));
        result.Losses.Should().BeInDescendingOrder("each Adam step on the code raises the objective here (it rose 0.0856 to 0.0707 in 6 steps when written)");
        (-result.FinalLoss).Should().BeGreaterThan(-result.InitialLoss + 0.005);
        GeneratorIsFrozenWithoutGradients(generator).Should().BeTrue("the render must leave the generator frozen and untouched");
    }

    private static bool GeneratorIsFrozenWithoutGradients(UpconvGenerator generator) => generator.parameters().All(p =>
    {
        using var grad = p.grad;
        return !p.requires_grad && grad is null;
    });
}
