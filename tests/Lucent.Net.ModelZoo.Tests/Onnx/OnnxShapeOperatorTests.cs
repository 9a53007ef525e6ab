namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>
/// The tricky semantics of the shape, indexing, reduction and resize operators against ONNX Runtime:
/// negative axes and indices, broadcasting, Slice steps and clamping, attribute-versus-input forms by
/// opset, int64 values flowing through shape arithmetic.
/// </summary>
public sealed class OnnxShapeOperatorTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(new long[] { 1 }, new long[] { 5 }, new long[] { 3 }, new long[] { 2 })]                       // step 2 on the last axis
    [InlineData(new long[] { -1 }, new long[] { long.MinValue }, new long[] { -1 }, new long[] { -1 })]         // reversed
    [InlineData(new long[] { 4, -3 }, new long[] { 0, long.MaxValue }, new long[] { -2, 1 }, new long[] { -2, 1 })] // negative step, clamped end
    [InlineData(new long[] { -100, 2 }, new long[] { 100, 4 }, new long[] { 0, 2 }, new long[] { 1, 1 })]       // out-of-range start and end clamped
    public void Slice_matches_onnx_runtime(long[] starts, long[] ends, long[] axes, long[] steps)
    {
        var graph = new OnnxTestGraph([2, 3, 5, 7]);
        var y = graph.Node("Slice", ["x", graph.Int64Initializer(starts), graph.Int64Initializer(ends), graph.Int64Initializer(axes), graph.Int64Initializer(steps)]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Slice_at_opset_9_takes_attributes()
    {
        var graph = new OnnxTestGraph([2, 3, 5, 7], opset: 9);
        var y = graph.Node("Slice", ["x"], n => n.Ints("starts", 1, -4).Ints("ends", 3, 1000).Ints("axes", 1, -1));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(0, new long[] { 1, -1, 0 }, new long[] { 3 })]
    [InlineData(-1, new long[] { -2, 3, 0, -7 }, new long[] { 2, 2 })]
    [InlineData(2, new long[] { -1 }, new long[0])]
    public void Gather_with_negative_and_scalar_indices_matches_onnx_runtime(long axis, long[] indices, long[] indexShape)
    {
        var graph = new OnnxTestGraph([2, 3, 5, 7]);
        var y = graph.Node("Gather", ["x", graph.Int64Initializer(indices, indexShape)], n => n.Int("axis", axis));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Where_broadcasts_condition_and_both_branches()
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5]);
        var row = graph.Initializer([1, 1, 1, 5]);
        var condition = graph.Node("Greater", [row, graph.Initializer([1], [0f])]);
        var y = graph.Node("Where", [condition, "x", graph.Initializer([4, 1], [1f, 2f, 3f, 4f])]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    public void Unsqueeze_and_squeeze_with_negative_axes_by_opset(int opset)
    {
        var graph = new OnnxTestGraph([2, 3, 5], opset);
        var unsqueezed = opset >= 13
            ? graph.Node("Unsqueeze", ["x", graph.Int64Initializer([-1, 1])])
            : graph.Node("Unsqueeze", ["x"], n => n.Ints("axes", -1, 1));
        var relu = graph.Node("Relu", [unsqueezed]);
        var y = opset >= 13
            ? graph.Node("Squeeze", [relu, graph.Int64Initializer([-1])])
            : graph.Node("Squeeze", [relu], n => n.Ints("axes", -1));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(11, "ReduceSum")]
    [InlineData(13, "ReduceSum")]
    [InlineData(13, "ReduceMean")]
    [InlineData(18, "ReduceMax")]
    [InlineData(18, "ReduceMin")]
    public void Reductions_take_axes_as_attribute_or_input_by_opset(int opset, string op)
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5], opset);
        var axesAreInput = op == "ReduceSum" ? opset >= 13 : opset >= 18;
        var kept = axesAreInput
            ? graph.Node(op, ["x", graph.Int64Initializer([-1, 1])])
            : graph.Node(op, ["x"], n => n.Ints("axes", -1, 1));
        var y = axesAreInput
            ? graph.Node(op, [kept, graph.Int64Initializer([0])], n => n.Int("keepdims", 0))
            : graph.Node(op, [kept], n => n.Ints("axes", 0).Int("keepdims", 0));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void ReduceSum_with_empty_axes_reduces_everything_or_nothing()
    {
        var graph = new OnnxTestGraph([2, 3, 4], 13);
        var all = graph.Node("ReduceSum", ["x"], n => n.Int("keepdims", 1));
        var none = graph.Node("ReduceSum", ["x"], n => n.Int("noop_with_empty_axes", 1));
        var y = graph.Node("Add", [all, none]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(18)]
    public void Split_outputs_are_all_usable(int opset)
    {
        var graph = new OnnxTestGraph([2, 6, 4], opset);
        var node = graph.Node("Split", opset >= 13 && opset < 18 ? ["x", graph.Int64Initializer([1, 2, 3])] : ["x"], n =>
        {
            n.Int("axis", -2);
            if (opset < 13)
            {
                n.Ints("split", 1, 2, 3);
            }
            else if (opset >= 18)
            {
                n.Int("num_outputs", 3);
            }

            n.Output.Add("second");
            n.Output.Add("third");
        });
        var y = graph.Node("Concat", ["third", node, "second"], n => n.Int("axis", -2));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Integer_shape_arithmetic_flows_through_shape_gather_div_range_and_constant_of_shape()
    {
        // From the input's shape: w = shape[-1] (7); h = shape[2] / 2 (integer division: 2);
        // Range(0, w, 1) cast to float, plus ConstantOfShape([h, 1]) of 0.5, expanded and added to x.
        var graph = new OnnxTestGraph([2, 3, 5, 7]);
        var shape = graph.Node("Shape", ["x"]);
        var w = graph.Node("Gather", [shape, graph.Int64Initializer([-1], [])], n => n.Int("axis", 0));
        var h = graph.Node("Gather", [shape, graph.Int64Initializer([2], [])], n => n.Int("axis", 0));
        var half = graph.Node("Div", [h, graph.Int64Initializer([2], [])]);
        var range = graph.Node("Range", [graph.Int64Initializer([0], []), w, graph.Int64Initializer([1], [])]);
        var ramp = graph.Node("Cast", [range], n => n.Int("to", 1));
        var rows = graph.Node("Concat", [graph.Node("Unsqueeze", [half, graph.Int64Initializer([0])]), graph.Int64Initializer([1])], n => n.Int("axis", 0));
        var fill = graph.Node("ConstantOfShape", [rows], n => n.Tensor("value", FloatScalar(0.5f)));
        var grid = graph.Node("Add", [fill, ramp]);
        var padded = graph.Node("Pad", [grid, graph.Int64Initializer([3, 0, 0, 0])]);
        var y = graph.Node("Add", ["x", padded]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Expand_tile_and_transpose_match_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 1, 5]);
        var expanded = graph.Node("Expand", ["x", graph.Int64Initializer([3, 1, 4, 1])]);
        var tiled = graph.Node("Tile", [expanded, graph.Int64Initializer([1, 2, 1, 2])]);
        var y = graph.Node("Transpose", [tiled], n => n.Ints("perm", 3, 0, 2, 1));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Float_mod_follows_the_dividend()
    {
        var graph = new OnnxTestGraph([2, 3, 4]);
        var scaled = graph.Node("Mul", ["x", graph.Initializer([1], [7f])]);
        var y = graph.Node("Mod", [scaled, graph.Initializer([4], [1.5f, -2f, 0.7f, -0.3f])], n => n.Int("fmod", 1));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Integer_mod_follows_the_divisor_or_the_dividend(long fmod)
    {
        var graph = new OnnxTestGraph([2, 3, 4]);
        var scaled = graph.Node("Mul", ["x", graph.Initializer([1], [20f])]);
        var integers = graph.Node("Cast", [scaled], n => n.Int("to", 7));
        var mod = graph.Node("Mod", [integers, graph.Int64Initializer([3, -4, 5, -6])], n => n.Int("fmod", fmod));
        var y = graph.Node("Cast", [mod], n => n.Int("to", 1));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("add")]
    public void ScatterND_replaces_or_adds_slices(string reduction)
    {
        var graph = new OnnxTestGraph([4, 3, 2], reduction == "none" ? 13 : 16);
        var indices = graph.Int64Initializer([2, -4, 1], [3, 1]);
        var updates = graph.Initializer([3, 3, 2]);
        var y = graph.Node("ScatterND", ["x", indices, updates], n =>
        {
            if (reduction != "none")
            {
                n.String("reduction", reduction);
            }
        });
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    public static TheoryData<string, string, string, bool> ResizeModes() => new()
    {
        { "nearest", "asymmetric", "floor", false },
        { "nearest", "half_pixel", "round_prefer_ceil", true },
        { "linear", "half_pixel", "round_prefer_floor", true },
        { "linear", "pytorch_half_pixel", "round_prefer_floor", false },
        { "linear", "align_corners", "round_prefer_floor", true },
        { "cubic", "half_pixel", "round_prefer_floor", false },
    };

    [Theory]
    [MemberData(nameof(ResizeModes))]
    public void Resize_modes_match_onnx_runtime(string mode, string transform, string nearestMode, bool bySizes)
    {
        var graph = new OnnxTestGraph([1, 2, 5, 6]);
        string[] inputs = bySizes
            ? ["x", string.Empty, string.Empty, graph.Int64Initializer([1, 2, 9, 4])]
            : ["x", string.Empty, graph.Initializer([4], [1f, 1f, 2f, 1.5f])];
        var y = graph.Node("Resize", inputs, n => n.String("mode", mode).String("coordinate_transformation_mode", transform)
            .String("nearest_mode", nearestMode).Float("cubic_coeff_a", -0.75f));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(1e-4);
    }

    [Fact]
    public void Upsample_at_opset_9_scales_by_its_input()
    {
        var graph = new OnnxTestGraph([1, 2, 3, 4], opset: 9);
        var y = graph.Node("Upsample", ["x", graph.Initializer([4], [1f, 1f, 2f, 3f])], n => n.String("mode", "nearest"));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("tanh")]
    public void Gelu_at_opset_20_matches_onnx_runtime(string approximate)
    {
        var graph = new OnnxTestGraph([2, 3, 4], opset: 20);
        var y = graph.Node("Gelu", ["x"], n => n.String("approximate", approximate));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(1e-4);
    }

    [Theory]
    [InlineData("HardSwish", 14)]
    [InlineData("HardSigmoid", 13)]
    [InlineData("Softplus", 13)]
    [InlineData("Elu", 13)]
    [InlineData("Neg", 13)]
    [InlineData("Abs", 13)]
    [InlineData("Exp", 13)]
    [InlineData("Erf", 13)]
    [InlineData("GlobalMaxPool", 13)]
    public void Unary_operators_match_onnx_runtime(string op, int opset)
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5], opset);
        var y = graph.Node(op, ["x"], n =>
        {
            if (op == "HardSigmoid")
            {
                n.Float("alpha", 0.3f).Float("beta", 0.4f);
            }
        });
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(1e-4);
    }

    [Fact]
    public void Positive_only_operators_match_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 3, 4]);
        var positive = graph.Node("Add", [graph.Node("Abs", ["x"]), graph.Initializer([1], [0.25f])]);
        var log = graph.Node("Log", [positive]);
        var sqrt = graph.Node("Sqrt", [positive]);
        var reciprocal = graph.Node("Reciprocal", [positive]);
        var pow = graph.Node("Pow", [positive, graph.Initializer([1], [1.7f])]);
        var y = graph.Node("Concat", [log, sqrt, reciprocal, pow], n => n.Int("axis", 1));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Variadic_min_max_and_prelu_broadcast()
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5]);
        var min = graph.Node("Min", ["x", graph.Initializer([5]), graph.Initializer([1, 4, 1])]);
        var max = graph.Node("Max", [min, graph.Initializer([3, 1, 1], [-0.5f, -0.2f, 0f])]);
        var y = graph.Node("PRelu", [max, graph.Initializer([3, 1, 1], [0.1f, 0.5f, 2f])]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Normalisations_and_einsum_match_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5], opset: 17);
        var instance = graph.Node("InstanceNormalization", ["x", graph.Initializer([3]), graph.Initializer([3])], n => n.Float("epsilon", 1e-4f));
        var layer = graph.Node("LayerNormalization", [instance, graph.Initializer([4, 5]), graph.Initializer([5])], n => n.Int("axis", -2));
        var y = graph.Node("Einsum", [layer, graph.Initializer([5, 6])], n => n.String("equation", "bchw,wk->bkhc"));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(1e-4);
    }

    private static global::Onnx.TensorProto FloatScalar(float value)
    {
        var proto = new global::Onnx.TensorProto { DataType = 1 };
        proto.Dims.Add(1);
        proto.FloatData.Add(value);
        return proto;
    }
}

/// <summary>Operators never write into their operands.</summary>
public sealed class OnnxOperandSafetyTests
{
    [Fact]
    public void A_one_input_mean_leaves_its_input_untouched()
    {
        var graph = new OnnxTestGraph([2, 3]);
        var y = graph.Node("Mean", ["x"]);
        using var module = Lucent.Net.ModelZoo.Onnx.OnnxModel.Load(graph.Build(y));
        using var scope = TorchSharp.torch.NewDisposeScope();
        var x = TorchSharp.torch.ones(2, 3);
        var result = module.call(x);
        x.sum().item<float>().Should().Be(6f, "the input must not be divided in place");
        result.sum().item<float>().Should().Be(6f);
    }
}
