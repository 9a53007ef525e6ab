using Lucent.Net.ModelZoo.Onnx;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Xunit.Abstractions;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>Renders a channel of a middle layer of imported modern ConvNets (PyTorch exports, Fixtures/onnx): the objective improves.</summary>
public sealed class OnnxRenderTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("convnext", 13)]
    [InlineData("mobilenet_v3_large", 17)]
    [InlineData("shufflenet_v2", 13)]
    public void A_middle_layer_channel_render_improves_its_objective(string name, int opset)
    {
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath(name, opset));
        var convs = model.Nodes.Where(n => n.OperatorType == "Conv").ToList();
        var layer = convs[convs.Count / 2].GetName();
        model.InputImageSize.Should().Be((64, 64), "the graph was exported with a fixed 64 x 64 input");
        var options = new RenderOptions
        {
            Parameterization = new ImageOptions(64),
            FixedImageSize = model.InputImageSize,
            Transforms = [],
            Thresholds = [16],
            Seed = 3,
        };

        var result = Renderer.Render(model, $"{layer}:1", options);
        output.WriteLine($"{name} opset {opset}, layer {layer}: loss {result.InitialLoss:F4} -> {result.FinalLoss:F4} over {result.Losses.Count} steps");
        result.Losses.Should().HaveCount(16);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss, "16 steps of gradient descent must raise the channel's activation");
    }
}

/// <summary>Renders a class logit of imported vision transformers: gradients flow through the folded graph.</summary>
public sealed class OnnxTransformerRenderTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("vit", 17)]
    [InlineData("swin", 13)]
    public void A_logit_render_improves_its_objective(string name, int opset)
    {
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath(name, opset));
        var logits = model.GetLayerName(model.OutputName);
        var size = model.InputImageSize!.Value;
        var options = new RenderOptions
        {
            Parameterization = new ImageOptions(size.Width),
            FixedImageSize = size,
            Transforms = [],
            Thresholds = [16],
            Seed = 3,
        };

        var result = Renderer.Render(model, $"{logits}:2", options);
        output.WriteLine($"{name} opset {opset}, layer {logits}: loss {result.InitialLoss:F4} -> {result.FinalLoss:F4} over {result.Losses.Count} steps");
        result.FinalLoss.Should().BeLessThan(result.InitialLoss, "16 steps of gradient descent must raise the logit");
    }
}

/// <summary>A graph exported with a symbolic batch renders a batch of images.</summary>
public sealed class OnnxBatchedRenderTests(ITestOutputHelper output)
{
    [Fact]
    public void A_dynamic_batch_vit_renders_two_images_at_once()
    {
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath("vit", 17, "_dynbatch"));
        var logits = model.GetLayerName(model.OutputName);
        var options = new RenderOptions
        {
            Parameterization = new ImageOptions(32) { Batch = 2 },
            FixedImageSize = model.InputImageSize,
            Transforms = [],
            Thresholds = [16],
            Seed = 5,
        };

        var result = Renderer.Render(model, $"{logits}:4", options);
        output.WriteLine($"vit batch 2: loss {result.InitialLoss:F4} -> {result.FinalLoss:F4}");
        result.FinalImages.Batch.Should().Be(2);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
    }
}
