using Lucent.Net.Parameterization;
using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Tests.TestSupport;
using Lucent.Net.Transforms;
using TorchSharp;
using static Lucent.Net.Objectives.Objective;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Rendering;

public sealed class ActivationCaptureTests
{
    private static Tensor Image(long seed, int size = 16)
    {
        using var generator = new Generator((ulong)seed, torch.CPU);
        return torch.rand([1, 3, size, size], generator: generator);
    }

    [Fact]
    public void Capture_returns_the_layers_as_the_model_computes_them_on_the_preprocessed_image()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvNet(seed: 1);
        var image = Image(3);
        using var captured = ActivationCapture.Capture(model, image, ["conv2", "relu1"]);

        captured.Layers.Should().Equal("conv2", "relu1");
        captured["conv2"].shape.Should().Equal(1, 16, 8, 8);
        using var normalized = new ImageNetNormalizeTransform().Apply(image);
        using var expected = model.LayerOutput("conv2", normalized);
        captured["conv2"].allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        captured["conv2"].requires_grad.Should().BeFalse();
        model.training.Should().BeTrue("the model's mode is restored");
    }

    [Fact]
    public void Capture_stops_the_forward_pass_once_the_layers_are_computed_and_every_layer_runs_when_none_are_named()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvNet(seed: 1);
        int fcCalls = 0;
        var fc = (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == "fc").module;
        var counter = fc.register_forward_hook((_, _, _) =>
        {
            fcCalls++;
            return null!;
        });
        var image = Image(4);
        using (var early = ActivationCapture.Capture(model, image, ["relu2"]))
        {
            early["relu2"].min().ToSingle().Should().BeGreaterThanOrEqualTo(0f);
        }

        fcCalls.Should().Be(0, "the pass stops after relu2");
        using var all = ActivationCapture.Capture(model, image, []);
        all.Layers.Should().Contain(["conv1", "relu1", "conv2", "relu2", "fc", IActivationLookup.Labels]);
        all[IActivationLookup.Labels].shape.Should().Equal(1, 10);
        fcCalls.Should().Be(1, "with no layers named the whole model runs");
        counter.remove();
    }

    [Fact]
    public void Capture_names_unknown_layers_and_frees_its_tensors_on_dispose()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvNet(seed: 1);
        var image = Image(5);
        var act = () => ActivationCapture.Capture(model, image, ["conv4"]);
        act.Should().Throw<UnknownLayerException>().WithMessage("*conv4*conv*");

        var captured = ActivationCapture.Capture(model, image, ["conv1"]);
        var tensor = captured["conv1"];
        captured.Dispose();
        tensor.IsInvalid.Should().BeTrue("the capture owns its tensors");
        var read = () => captured["conv1"];
        read.Should().Throw<ObjectDisposedException>();
        var badShape = () => ActivationCapture.Capture(model, image.squeeze(0), ["conv1"]);
        badShape.Should().Throw<ArgumentException>().WithMessage("*(batch, channels, height, width)*");
    }

    [Fact]
    public void Objectives_evaluate_on_plain_tensors_with_gradients()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7, torch.CPU);
        var layer = torch.randn([2, 4, 3, 3], generator: generator).requires_grad_();
        var objective = Channel("mixed4a", 1) - 0.5 * Channel("mixed4a", 2);

        var loss = objective.Evaluate(new Dictionary<string, Tensor> { ["mixed4a"] = layer });

        double expected = -layer[.., 1].mean().ToDouble() + 0.5 * layer[.., 2].mean().ToDouble();
        loss.ToDouble().Should().BeApproximately(expected, 1e-6);
        loss.backward();
        layer.grad!.abs().sum().ToDouble().Should().BeGreaterThan(0, "gradients reach the given tensor");
        layer.grad![.., 0].abs().sum().ToDouble().Should().Be(0, "channel 0 is not in the objective");
        layer.IsInvalid.Should().BeFalse("the given tensors are borrowed");

        var missing = () => Channel("mixed5a", 0).Evaluate(new Dictionary<string, Tensor> { ["mixed4a"] = layer });
        missing.Should().Throw<UnknownLayerException>().WithMessage("*mixed5a*mixed4a*");
    }

    [Fact]
    public void A_delegate_objective_is_named_after_its_source_text_and_reads_any_layer()
    {
        using var scope = NewDisposeScope();
        var objective = Objective.FromDelegate(a => -a["conv2"].mean());

        objective.Name.Should().Be("a => -a[\"conv2\"].mean()");
        objective.Layers.Should().BeEmpty("undeclared layers: the render hooks every layer");
        var longer = Objective.FromDelegate(a => -a["conv2"].mean() - a["conv1"].mean() - a["relu1"].mean() - a["relu2"].mean());
        longer.Name.Should().HaveLength(60).And.EndWith("...");

        using var model = new TinyConvNet(seed: 1);
        var result = Renderer.Render(model, objective, new RenderOptions { Parameterization = ParameterizationFactory.From(g => new TestPixelParameterization(16, g)), Transforms = [], Thresholds = [3], FixedImageSize = (16, 16), Seed = 1 });
        result.Losses.Should().HaveCount(3);
        result.Losses[^1].Should().BeLessThan(result.Losses[0], "the render optimises the delegate's loss");
    }

    [Fact]
    public void Deterministic_transforms_apply_without_a_context_and_agree_with_the_context_form()
    {
        using var scope = NewDisposeScope();
        var image = Image(8, 8);
        var context = TransformContext.FromSeed(0);
        using var generator = context.Generator;
        IDeterministicTransform[] transforms = [new PadTransform(2), new ResizeTransform(5, 6), new ImageNetNormalizeTransform(), new InceptionV1PreprocessingTransform()];
        foreach (var transform in transforms)
        {
            transform.Apply(image).allclose(transform.Apply(image, context), rtol: 0, atol: 0).Should().BeTrue(transform.Name);
        }

        new PadTransform(2).Apply(image).shape.Should().Equal(1, 3, 12, 12);
        ResizeTransform.ForModelInput((300, 200), (300, 200))!.Height.Should().Be(300, "a fixed size is kept even when it equals the image's: transforms may have changed the size");
        using var model = new TinyConvNet(seed: 1);
        var pipeline = Renderer.BuildPipeline(model, new RenderOptions { FixedImageSize = (16, 16) }, new Lucent.Net.Parameterization.ImageShape(1, 3, 16, 16));
        pipeline[^1].Should().BeOfType<ResizeTransform>("the standard transforms pad, scale and rotate the 16 px image before the model");
    }
}
