using Lucent.Net.ModelZoo.Onnx;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>Each operator family against ONNX Runtime on the same random input (max error 1e-4 relative to the output's scale).</summary>
public sealed class OnnxOperatorTests
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(1, 1, 1, 1, 1, 1, 1, 1, 1, 3, true)]     // plain 3x3, symmetric pads, bias
    [InlineData(2, 2, 1, 2, 1, 1, 2, 0, 1, 3, false)]    // groups, dilations, strides, asymmetric pads, no bias
    [InlineData(1, 1, 1, 2, 2, 3, 3, 2, 2, 7, true)]     // ResNet stem style: [3,3,2,2] pads, stride 2
    public void Conv_matches_onnx_runtime(long group, long dilationH, long dilationW, long strideH, long strideW,
        long padTop, long padLeft, long padBottom, long padRight, long kernel, bool bias)
    {
        var kernelSize = kernel;
        var graph = new OnnxTestGraph([2, 4, 15, 14]);
        var w = graph.Initializer([6, 4 / group, kernelSize, kernelSize]);
        string[] inputs = bias ? ["x", w, graph.Initializer([6])] : ["x", w];
        var y = graph.Node("Conv", inputs, n => n
            .Ints("kernel_shape", kernelSize, kernelSize).Int("group", group).Ints("dilations", dilationH, dilationW)
            .Ints("strides", strideH, strideW).Ints("pads", padTop, padLeft, padBottom, padRight));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    [InlineData("VALID")]
    public void Conv_auto_pad_matches_onnx_runtime(string autoPad)
    {
        var graph = new OnnxTestGraph([1, 3, 10, 9]);
        var y = graph.Node("Conv", ["x", graph.Initializer([5, 3, 4, 4])], n => n.Ints("strides", 2, 2).String("auto_pad", autoPad));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void BatchNormalization_matches_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 5, 6, 7]);
        var scale = graph.Initializer([5]);
        var bias = graph.Initializer([5]);
        var mean = graph.Initializer([5]);
        var variance = graph.Initializer([5], [0.5f, 1f, 2f, 0.1f, 3f]);
        var y = graph.Node("BatchNormalization", ["x", scale, bias, mean, variance], n => n.Float("epsilon", 1e-3f));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData("Relu")]
    [InlineData("LeakyRelu")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    public void Activations_match_onnx_runtime(string opType)
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5]);
        var y = graph.Node(opType, ["x"], n =>
        {
            if (opType == "LeakyRelu")
            {
                n.Float("alpha", 0.2f);
            }
        });
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Clip_with_attributes_at_opset_6_matches_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5], opset: 6);
        var y = graph.Node("Clip", ["x"], n => n.Float("min", -0.3f).Float("max", 0.5f));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Clip_with_inputs_at_opset_13_matches_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5]);
        var min = graph.Initializer([], [-0.25f]);
        var max = graph.Initializer([], [0.4f]);
        var both = graph.Node("Clip", ["x", min, max]);
        var onlyMin = graph.Node("Clip", [both, string.Empty, graph.Initializer([], [0.5f])]);
        graph.CompareWithOnnxRuntime(onlyMin).Should().BeLessThan(Tolerance);
        graph.CompareWithOnnxRuntime(both).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(1, 1, 0, 0, 0)]  // ResNet stem: asymmetric [1,1,0,0]
    [InlineData(1, 1, 1, 1, 1)]  // symmetric, ceil mode
    [InlineData(0, 2, 1, 0, 0)]  // asymmetric, pad larger than half the kernel on one side
    public void MaxPool_matches_onnx_runtime(long top, long left, long bottom, long right, long ceilMode)
    {
        var graph = new OnnxTestGraph([2, 3, 13, 12]);
        var y = graph.Node("MaxPool", ["x"], n => n
            .Ints("kernel_shape", 3, 3).Ints("strides", 2, 2).Ints("pads", top, left, bottom, right).Int("ceil_mode", ceilMode));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(0, 1, 1, 1, 1)]
    [InlineData(1, 1, 1, 1, 1)]
    [InlineData(0, 1, 0, 2, 1)]
    [InlineData(1, 1, 0, 2, 1)]
    [InlineData(0, 0, 0, 0, 0)]
    public void AveragePool_matches_onnx_runtime(long countIncludePad, long top, long left, long bottom, long right)
    {
        var graph = new OnnxTestGraph([2, 3, 11, 12]);
        var y = graph.Node("AveragePool", ["x"], n => n
            .Ints("kernel_shape", 3, 3).Ints("strides", 2, 2).Ints("pads", top, left, bottom, right).Int("count_include_pad", countIncludePad));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void GlobalAveragePool_matches_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 6, 5, 7]);
        var y = graph.Node("GlobalAveragePool", ["x"]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    public void Binary_operators_broadcast_like_onnx_runtime(string opType)
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5]);
        var relu = graph.Node("Sigmoid", ["x"]);
        var both = graph.Node(opType, ["x", relu]);
        var constantRight = graph.Node(opType, [both, graph.Initializer([3, 1, 1], [0.5f, -2f, 1.5f])]);
        var constantLeft = graph.Node(opType, [graph.Initializer([5], [1f, 2f, -3f, 4f, 0.25f]), constantRight]);
        graph.CompareWithOnnxRuntime(constantLeft).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Concat_flatten_and_reshape_match_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5]);
        var relu = graph.Node("Relu", ["x"]);
        var concat = graph.Node("Concat", ["x", relu, graph.Initializer([2, 1, 4, 5])], n => n.Int("axis", 1));
        var flat = graph.Node("Flatten", [concat], n => n.Int("axis", 2));
        var reshaped = graph.Node("Reshape", [flat, graph.Int64Initializer([0, -1, 5])]);
        var shapeConstant = new TensorProto { Name = "shape", DataType = 7 };
        shapeConstant.Dims.Add(2);
        shapeConstant.Int64Data.AddRange([-1, 10]);
        var shape = graph.Node("Constant", [], n => n.Tensor("value", shapeConstant));
        var y = graph.Node("Reshape", [reshaped, shape]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
        graph.CompareWithOnnxRuntime(flat).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(0, 1, 0.5f, 2f)]
    [InlineData(1, 0, 1f, 1f)]
    [InlineData(1, 1, 2f, 0.5f)]
    public void Gemm_matches_onnx_runtime(long transA, long transB, float alpha, float beta)
    {
        long[] inputShape = transA == 1 ? [5, 3] : [3, 5];
        var graph = new OnnxTestGraph(inputShape);
        var b = graph.Initializer(transB == 1 ? [4, 5] : [5, 4]);
        var y = graph.Node("Gemm", ["x", b, graph.Initializer([4])], n => n
            .Int("transA", transA).Int("transB", transB).Float("alpha", alpha).Float("beta", beta));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void MatMul_matches_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 3, 5]);
        var y = graph.Node("MatMul", ["x", graph.Initializer([5, 4])]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(3)]
    public void Lrn_matches_onnx_runtime(long size)
    {
        var graph = new OnnxTestGraph([2, 7, 4, 3]);
        var y = graph.Node("LRN", ["x"], n => n.Int("size", size).Float("alpha", 0.3f).Float("beta", 0.75f).Float("bias", 2f));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Lrn_over_many_channels_and_a_rank_three_input_matches_onnx_runtime()
    {
        // 70 channels: the window sums run in blocks of 32 (the block edges included). ONNX Runtime takes odd sizes
        // only; the even-size window is pinned against the definition in LocalResponseNormTests.
        var wide = new OnnxTestGraph([1, 70, 3, 2]);
        wide.CompareWithOnnxRuntime(wide.Node("LRN", ["x"], n => n.Int("size", 7).Float("alpha", 0.01f).Float("beta", 0.75f).Float("bias", 1f))).Should().BeLessThan(Tolerance);

        // ONNX Runtime takes rank 4 only: a rank-3 input must equal the same data run as (N, C, L, 1) in ORT.
        var flat = new OnnxTestGraph([2, 40, 5]);
        var model = flat.Build(flat.Node("LRN", ["x"], n => n.Int("size", 5).Float("alpha", 0.02f).Float("beta", 0.5f).Float("bias", 1f)));
        var four = new OnnxTestGraph([2, 40, 5, 1]);
        var fourModel = four.Build(four.Node("LRN", ["x"], n => n.Int("size", 5).Float("alpha", 0.02f).Float("beta", 0.5f).Float("bias", 1f)));
        var input = OnnxTestGraph.RandomValues(400, 3);
        var (expected, _) = OnnxTestGraph.RunOnnxRuntime(fourModel, "x", input, [2, 40, 5, 1], fourModel.Graph.Output[0].Name);
        using var scope = NewDisposeScope();
        using var module = OnnxModel.Load(model);
        var actual = module.call(torch.tensor(input, [2, 40, 5]));
        actual.shape.Should().Equal([2L, 40, 5]);
        OnnxTestGraph.RelativeError(actual.data<float>().ToArray(), expected).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("reflect")]
    [InlineData("edge")]
    public void Pad_with_inputs_matches_onnx_runtime(string mode)
    {
        var graph = new OnnxTestGraph([2, 3, 6, 5]);
        var pads = graph.Int64Initializer([0, 0, 2, 1, 0, 0, 1, 3]);
        string[] inputs = mode == "constant" ? ["x", pads, graph.Initializer([], [1.5f])] : ["x", pads];
        var y = graph.Node("Pad", inputs, n => n.String("mode", mode));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Pad_with_attributes_at_opset_2_matches_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 3, 6, 5], opset: 2);
        var y = graph.Node("Pad", ["x"], n => n.Ints("pads", 0, 1, 1, 2, 0, 0, 2, 0).Float("value", -0.5f));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(11, 1)]
    [InlineData(11, 2)]
    [InlineData(13, 1)]
    [InlineData(13, -1)]
    public void Softmax_matches_onnx_runtime(long opset, long axis)
    {
        var graph = new OnnxTestGraph([2, 3, 4, 5], opset);
        var y = graph.Node("Softmax", ["x"], n => n.Int("axis", axis));
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Dropout_identity_and_constant_match_onnx_runtime()
    {
        var graph = new OnnxTestGraph([2, 3]);
        var dropped = graph.Node("Dropout", ["x"]);
        var same = graph.Node("Identity", [dropped]);
        var value = new TensorProto { Name = "c", DataType = 1 };
        value.Dims.AddRange([2, 3]);
        value.FloatData.AddRange([1f, 2f, 3f, 4f, 5f, 6f]);
        var constant = graph.Node("Constant", [], n => n.Tensor("value", value));
        var y = graph.Node("Add", [same, constant]);
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(Tolerance);
    }
}
