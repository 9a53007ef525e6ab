using Lucent.Net.ModelZoo.Onnx;
using Lucent.Net.Modules;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Transforms;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>A graph whose input has a fixed height and width renders at that size without the user saying so.</summary>
public sealed class OnnxModelInputSizeTests
{
    /// <summary>A 1x1 convolution of a (1, 3, h, w) input; h or w null makes that axis symbolic.</summary>
    private static OnnxGraphModule Graph(long? height, long? width)
    {
        var graph = new OnnxTestGraph([1, 3, height ?? 1, width ?? 1]);
        var proto = graph.Build(graph.Node("Conv", ["x", graph.Initializer([2, 3, 1, 1])], output: "y", name: "conv"));
        var dims = proto.Graph.Input[0].Type.TensorType.Shape.Dim;
        if (height is null)
        {
            dims[2] = new global::Onnx.TensorShapeProto.Types.Dimension { DimParam = "height" };
        }

        if (width is null)
        {
            dims[3] = new global::Onnx.TensorShapeProto.Types.Dimension { DimParam = "width" };
        }

        return OnnxModel.Load(proto);
    }

    /// <summary>The (height, width) the model saw at every forward, recorded by a hook on the input.</summary>
    private static List<(long, long)> RenderAndRecordInputSizes(OnnxGraphModule model, RenderOptions options)
    {
        var seen = new List<(long, long)>();
        var hook = model.register_forward_pre_hook((_, input) =>
        {
            seen.Add((input.shape[2], input.shape[3]));
            return input;
        });
        try
        {
            Renderer.Render(model, "conv:0", options);
        }
        finally
        {
            hook.remove();
        }

        return seen;
    }

    private static RenderOptions Options((int, int)? fixedSize = null) => new()
    {
        Parameterization = new ImageOptions(48),
        Transforms = [],
        Thresholds = [2],
        Seed = 1,
        FixedImageSize = fixedSize,
    };

    [Fact]
    public void A_fixed_32x32_input_renders_at_32_without_options()
    {
        using var model = Graph(32, 32);
        ((IModelInputSize)model).InputImageSize.Should().Be((32, 32));
        Renderer.ModelInputSize(model, Options()).Should().Be((32, 32));

        var seen = RenderAndRecordInputSizes(model, Options());

        seen.Should().NotBeEmpty();
        seen.Distinct().Should().Equal([(32L, 32L)], "the 48 x 48 image is resized to the graph's fixed 32 x 32 input");
    }

    [Fact]
    public void An_explicit_fixed_image_size_wins_over_the_model_size()
    {
        using var model = Graph(32, 32);

        var pipeline = Renderer.BuildPipeline(model, Options((40, 24)), new ImageShape(1, 3, 48, 48));

        pipeline.OfType<ResizeTransform>().Should().ContainSingle().Which.Height.Should().Be(40);
        Renderer.ModelInputSize(model, Options((40, 24))).Should().Be((40, 24));
    }

    [Fact]
    public void A_symbolic_height_keeps_lucents_rule()
    {
        using var model = Graph(null, 32);
        model.InputImageSize.Should().BeNull();
        Renderer.ModelInputSize(model, Options()).Should().BeNull();

        var seen = RenderAndRecordInputSizes(model, Options());

        seen.Should().NotBeEmpty();
        seen.Distinct().Should().Equal([((long)RenderOptions.MinimumModelInputSize, (long)RenderOptions.MinimumModelInputSize)],
            "a 48 x 48 image is upsampled to 224 x 224 when the model does not fix its size");
    }
}
