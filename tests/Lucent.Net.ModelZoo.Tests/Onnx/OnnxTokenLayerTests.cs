using Lucent.Net.ModelZoo.Catalog;
using Lucent.Net.ModelZoo.Onnx;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Xunit.Abstractions;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>
/// Token layers of imported vision transformers (PyTorch exports, Fixtures/onnx): listed as tokens x
/// features, and rendered with token objectives that improve over 16 steps.
/// </summary>
public sealed class OnnxTokenLayerTests(ITestOutputHelper output)
{
    /// <summary>The residual output of the small ViT's first encoder block: (1, 17, 32), token 0 the class token.</summary>
    private const string VitBlock = "encoder_layers_encoder_layer_0_Add_1";

    /// <summary>The output of the small Swin's stage-2 first block, channels last: (1, 6, 6, 16).</summary>
    private const string SwinBlock = "features_features_3_features_3_0_Add_1";

    [Fact]
    public void Vit_block_outputs_are_listed_as_tokens_by_features_with_the_class_token()
    {
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath("vit", 17));
        var layer = ModelCatalog.DescribeLayers(model, 32).Single(l => l.Name == VitBlock);
        layer.OutputShape.Should().Equal(1, 17, 32);
        layer.FormatUnits().Should().Be("17 tokens x 32 features (token 0: class token)");
    }

    [Theory]
    [InlineData("channel(" + VitBlock + ", 1)")]
    [InlineData("channel(" + VitBlock + ", 2, tokens=cls)")]
    [InlineData("neuron(" + VitBlock + ", 3)")]
    [InlineData("direction_neuron(" + VitBlock + ", [1, -1, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], x=0)")]
    public void A_vit_token_layer_render_improves_its_objective(string objective)
    {
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath("vit", 17));
        var result = Render(model, objective);
        output.WriteLine($"vit {objective}: loss {result.InitialLoss:F4} -> {result.FinalLoss:F4} over {result.Losses.Count} steps");
        result.Losses.Should().HaveCount(16);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss, "16 steps of gradient descent must raise the token objective");
    }

    [Fact]
    public void A_swin_channels_last_block_renders_with_layout_nhwc()
    {
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath("swin", 17));
        var layer = ModelCatalog.DescribeLayers(model, 48).Single(l => l.Name == SwinBlock);
        layer.OutputShape.Should().Equal(1, 6, 6, 16);
        var result = Render(model, $"channel({SwinBlock}, 5, layout=nhwc)");
        output.WriteLine($"swin channel 5 of {SwinBlock} (nhwc): loss {result.InitialLoss:F4} -> {result.FinalLoss:F4}");
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
    }

    [Fact]
    public void Y_on_a_vit_token_layer_fails_with_a_typed_error_naming_the_layer()
    {
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath("vit", 17));
        var ex = FluentActions.Invoking(() => Render(model, $"neuron({VitBlock}, 3, x=1, y=1)")).Should().Throw<ObjectiveArgumentException>().Which;
        ex.ParamName.Should().Be("y");
        ex.Layer.Should().Be(VitBlock);
        ex.Shape.Should().Equal(1, 17, 32);
    }

    private static RenderResult Render(OnnxGraphModule model, string objective)
    {
        var size = model.InputImageSize!.Value;
        var options = new RenderOptions
        {
            Parameterization = new ImageOptions(size.Width),
            FixedImageSize = size,
            Transforms = [],
            Thresholds = [16],
            Seed = 3,
        };
        return Renderer.Render(model, objective, options);
    }
}
