using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Transforms;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Rendering;

public class RendererDefaultsTests
{
    [Fact]
    public void Defaults_render_a_128_pixel_fft_image_through_the_standard_transforms()
    {
        using var model = new TinyConvNet(seed: 1);
        long[]? conv1Shape = null;
        var objective = Objective.FromDelegate("conv1_probe", ["conv1"], a =>
        {
            conv1Shape = a["conv1"].shape;
            return -a["conv1"][.., 0].mean();
        });

        var result = Renderer.Render(model, objective, new RenderOptions { Thresholds = [2] });

        result.FinalImages.Height.Should().Be(128);
        result.FinalImages.Width.Should().Be(128);
        conv1Shape.Should().Equal(1, 8, 224, 224);
    }

    [Fact]
    public void Pipeline_appends_preprocessing_and_the_224_resize_after_the_user_transforms()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [Transform.Jitter(4)] };
        var pipeline = Renderer.BuildPipeline(model, options, new ImageShape(1, 3, 128, 128));
        pipeline.Select(t => t.Name).Should().Equal("jitter(4)", "normalize()", "resize(224, 224)");

        var noPreprocess = Renderer.BuildPipeline(model, options with { Preprocess = false, FixedImageSize = (64, 64) }, new ImageShape(1, 3, 128, 128));
        noPreprocess.Select(t => t.Name).Should().Equal("jitter(4)", "resize(64, 64)");

        var large = Renderer.BuildPipeline(model, new RenderOptions { Transforms = [] }, new ImageShape(1, 3, 256, 300));
        large.Select(t => t.Name).Should().Equal("normalize()");
    }

    [Fact]
    public void Model_preprocessing_is_used_when_the_model_provides_it()
    {
        using var model = new PreprocessedTinyNet();
        var pipeline = Renderer.BuildPipeline(model, new RenderOptions { Transforms = [] }, new ImageShape(1, 3, 224, 224));
        pipeline.Select(t => t.Name).Should().Equal("preprocess_inceptionv1()");
    }

    [Fact]
    public void Text_objectives_use_lucents_layer_colon_channel_shorthand_and_the_expression_language()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [], Thresholds = [3], Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, generator: g)), FixedImageSize = (16, 16) };
        var result = Renderer.Render(model, "conv2:3", options);
        result.Losses.Should().HaveCount(3);
        Renderer.Render(model, "conv2:3 - 0.5 * channel(conv1, 1)", options).Losses.Should().HaveCount(3, "any objective expression renders");
        var act = () => Renderer.Render(model, "conv2", options);
        act.Should().Throw<Lucent.Net.Expressions.ObjectiveExpressionException>().WithMessage("*not an objective*conv2:0*");
    }

    [Fact]
    public void RenderChannels_renders_one_image_per_channel_in_one_batch()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [], Thresholds = [20], FixedImageSize = (16, 16), Parameterization = new ImageOptions(RenderOptions.DefaultImageSize) };
        var result = Renderer.RenderChannels(model, "conv2", [0, 3, 5], options with { Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, batch: 3, generator: g)) });

        result.FinalImages.Batch.Should().Be(3);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);

        // Each image's own term of the summed objective, at every step.
        result.ImageLosses.Should().HaveCount(3).And.OnlyContain(l => l.Count == 20);
        for (int step = 0; step < 20; step++)
        {
            result.ImageLosses.Sum(l => l[step]).Should().BeApproximately(result.Losses[step], 1e-4 * (1 + Math.Abs(result.Losses[step])));
        }

        result.ImageLosses.Should().OnlyContain(l => l[l.Count - 1] < l[0], "every channel rose");
        Renderer.Render(model, "conv2:3", options with { Thresholds = [2] }).ImageLosses.Should().BeEmpty("a single objective has no per-image terms");

        var wrongBatch = () => Renderer.RenderChannels(model, "conv2", [0, 3], options with { Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, generator: g)) });
        wrongBatch.Should().Throw<InvalidRenderOptionsException>().WithMessage("*batch of 2*");
    }

    [Fact]
    public void Per_image_losses_come_from_the_loop_once_per_step_even_when_the_optimiser_re_evaluates()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions
        {
            Transforms = [],
            Steps = 3,
            FixedImageSize = (16, 16),
            OptimizerFactory = p => TorchSharp.torch.optim.LBFGS(p, lr: 0.5, max_iter: 3),
        };
        var result = Renderer.RenderChannels(model, "conv2", [0, 3], options);

        result.Losses.Should().HaveCount(3);
        result.ImageLosses.Should().HaveCount(2).And.OnlyContain(l => l.Count == 3, "one loss per step: the closure's first evaluation, as the step's loss");
        for (int step = 0; step < 3; step++)
        {
            (result.ImageLosses[0][step] + result.ImageLosses[1][step]).Should().BeApproximately(result.Losses[step], 1e-4 * (1 + Math.Abs(result.Losses[step])));
        }
    }

    [Fact]
    public void One_door_takes_image_options_a_function_of_the_generator_or_of_the_generator_and_device()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [], Steps = 2, FixedImageSize = (16, 16), Parameterization = new ImageOptions(12) };
        var standard = Renderer.Render(model, "conv2:3", options).FinalImages.Pixels;

        Func<TorchSharp.torch.Generator, IImageParameterization> byGenerator = g => ImageParameterizations.Image(12, generator: g);
        Device? seen = null;
        var byDevice = ParameterizationFactory.From((g, device) =>
        {
            seen = device;
            return ImageParameterizations.Image(12, generator: g, device: device);
        });

        Renderer.Render(model, "conv2:3", options with { Parameterization = byGenerator }).FinalImages.Pixels.Should().Equal(standard, "a Func converts to the factory implicitly");
        Renderer.Render(model, "conv2:3", options with { Parameterization = byDevice }).FinalImages.Pixels.Should().Equal(standard);
        seen!.type.Should().Be(TorchSharp.DeviceType.CPU, "the factory gets the render's device");

        options.WithImage(i => i with { Batch = 2 }).Parameterization.Should().Be(new ImageOptions(12) { Batch = 2 });
        FluentActions.Invoking(() => (options with { Parameterization = byDevice }).WithImage(i => i)).Should().Throw<InvalidRenderOptionsException>()
            .Which.Message.Should().Contain("custom factory").And.Contain("new ImageOptions");
        FluentActions.Invoking((options with { Parameterization = null! }).Validate).Should().Throw<InvalidRenderOptionsException>()
            .Which.ParamName.Should().Be(nameof(RenderOptions.Parameterization));
    }

    [Fact]
    public void Image_options_describe_the_standard_image_without_a_factory()
    {
        using var model = new TinyConvNet(seed: 1);
        var image = new ImageOptions(12) { Height = 10, Fft = false };
        var options = new RenderOptions { Transforms = [], Thresholds = [2], FixedImageSize = (16, 16), Parameterization = image };
        var result = Renderer.Render(model, "conv2:3", options);
        (result.FinalImages.Height, result.FinalImages.Width, result.FinalImages.Batch).Should().Be((10, 12, 1));

        var withFactory = Renderer.Render(model, "conv2:3", options with { Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(image, g)) });
        result.FinalImages.Pixels.Should().Equal(withFactory.FinalImages.Pixels, "Image is the factory's options, made from the same seeded generator");

        Renderer.RenderChannels(model, "conv2", [0, 1], options).FinalImages.Batch.Should().Be(2, "a batch render makes one image per objective");
        var wrongBatch = () => Renderer.RenderChannels(model, "conv2", [0, 1], options with { Parameterization = image with { Batch = 3 } });
        wrongBatch.Should().Throw<InvalidRenderOptionsException>().WithMessage("*ImageOptions.Batch is 3*");
        var empty = () => Renderer.Render(model, "conv2:3", options with { Parameterization = new ImageOptions(0) });
        empty.Should().Throw<InvalidRenderOptionsException>().WithMessage("The image must be at least 1x1 pixels; got 0x0*");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Micro_batches_give_the_images_and_losses_of_the_whole_batch(int microBatch)
    {
        using var model = new TinyConvNet(seed: 1);
        // Plain SGD: its steps are linear in the gradients, so float rounding that differs between batched
        // and per-image kernels (oneDNN) stays at rounding size; Adam divides near-zero gradients by their
        // own size and could turn such rounding into a whole step.
        var options = new RenderOptions
        {
            Thresholds = [6],
            FixedImageSize = (24, 24),
            Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, batch: 3, generator: g)),
            OptimizerFactory = p => TorchSharp.torch.optim.SGD(p, 0.05),
        };
        IObjective[] perImage =
        [
            Lucent.Net.Objectives.Objective.Channel("conv2", 1, batch: 0),
            Lucent.Net.Objectives.Objective.Channel("conv1", 4, batch: 1),
            Lucent.Net.Objectives.Objective.Neuron("conv2", 7, batch: 2) - Lucent.Net.Objectives.Objective.Channel("conv2", 2, batch: 2),
        ];

        var whole = Renderer.RenderBatch(model, perImage, options with { MicroBatchSize = 3 });
        var sliced = Renderer.RenderBatch(model, perImage, options with { MicroBatchSize = microBatch });

        sliced.Losses.Should().HaveCount(6);
        for (int step = 0; step < 6; step++)
        {
            sliced.Losses[step].Should().BeApproximately(whole.Losses[step], 1e-5 * (1 + Math.Abs(whole.Losses[step])));
            for (int image = 0; image < 3; image++)
            {
                sliced.ImageLosses[image][step].Should().BeApproximately(whole.ImageLosses[image][step], 1e-5 * (1 + Math.Abs(whole.ImageLosses[image][step])));
            }
        }

        var a = whole.FinalImages.Pixels;
        var b = sliced.FinalImages.Pixels;
        a.Zip(b, (x, y) => Math.Abs(x - y)).Max().Should().BeLessThan(1e-4f, "slicing the model's passes does not change the render");
        whole.Losses.Should().OnlyContain(l => double.IsFinite(l));

        var invalid = () => Renderer.RenderBatch(model, perImage, options with { MicroBatchSize = 0 });
        invalid.Should().Throw<InvalidRenderOptionsException>().WithMessage("*MicroBatchSize*");
    }

    [Fact]
    public void RenderBatch_optimises_each_image_for_its_own_objective_on_any_layer()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [], Thresholds = [12], FixedImageSize = (16, 16), Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, batch: 2, generator: g)) };
        IObjective[] perImage = [Lucent.Net.Objectives.Objective.Channel("conv1", 0, batch: 0), Lucent.Net.Objectives.Objective.Channel("conv2", 3, batch: 1)];

        var result = Renderer.RenderBatch(model, perImage, options);

        result.FinalImages.Batch.Should().Be(2);
        result.ImageLosses.Should().HaveCount(2).And.OnlyContain(l => l.Count == 12 && l[l.Count - 1] < l[0]);
        var empty = () => Renderer.RenderBatch(model, [], options);
        empty.Should().Throw<ArgumentException>().WithMessage("*at least one objective*");
    }

    [Fact]
    public void Channel_out_of_range_gives_the_valid_range_and_shape()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Transforms = [], Thresholds = [1], FixedImageSize = (16, 16), Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, generator: g)) };
        var act = () => Renderer.Render(model, Lucent.Net.Objectives.Objective.Channel("conv2", 40), options);
        act.Should().Throw<ObjectiveArgumentException>().WithMessage("*40*conv2*[1, 16, 8, 8]*0..15*");
    }

    private sealed class PreprocessedTinyNet : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>, IPreprocessingProvider
    {
        private readonly TinyConvNet inner = new(seed: 1);

        public PreprocessedTinyNet()
            : base(nameof(PreprocessedTinyNet)) => RegisterComponents();

        public IImageTransform Preprocessing { get; } = new InceptionV1PreprocessingTransform();

        public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor input) => inner.call(input);
    }
}
