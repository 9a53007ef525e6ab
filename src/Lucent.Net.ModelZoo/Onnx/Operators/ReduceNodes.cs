using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>
/// ONNX <c>ReduceMean</c>, <c>ReduceSum</c>, <c>ReduceMax</c>, <c>ReduceMin</c>, <c>ReduceProd</c>: axes as
/// an attribute, or as the optional second input (ReduceSum from opset 13, the others from opset 18);
/// <c>keepdims</c> (default 1) and <c>noop_with_empty_axes</c>.
/// </summary>
internal sealed class ReduceNode : OnnxNodeModule
{
    private readonly string _kind;
    private readonly long[]? _attributeAxes;
    private readonly bool _keepDims;
    private readonly bool _noopWithEmptyAxes;

    public ReduceNode(OnnxNodeDefinition definition, string kind)
        : base(definition)
    {
        _kind = kind;
        _attributeAxes = definition.Attributes.Ints("axes", -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
        _keepDims = definition.Attributes.Int("keepdims", 1, 0, 1) == 1;
        _noopWithEmptyAxes = definition.Attributes.Int("noop_with_empty_axes", 0, 0, 1) == 1;
    }

    /// <summary>Whether the operator takes its axes as an input at <paramref name="opset"/>.</summary>
    public static bool AxesAreInput(string opType, long opset) => opType == "ReduceSum" ? opset >= 13 : opset >= 18;

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var axes = _attributeAxes ?? (OptionalOperand(operands, 1) is { } given ? OnnxTensors.ToLongs(given) : []);
        var rank = x.dim();
        if (axes.Length == 0)
        {
            if (_noopWithEmptyAxes)
            {
                return x.alias();
            }

            axes = Enumerable.Range(0, (int)rank).Select(a => (long)a).ToArray();
        }

        foreach (var axis in axes)
        {
            AxisCheck.Require(this, axis, rank, inclusiveEnd: false);
        }

        axes = axes.Select(a => a < 0 ? a + rank : a).Distinct().ToArray();
        if (rank == 0)
        {
            return x.alias();
        }

        return _kind switch
        {
            "Mean" => x.mean(axes, _keepDims),
            "Sum" => x.sum(axes, _keepDims),
            "Max" => x.amax(axes, _keepDims),
            "Min" => x.amin(axes, _keepDims),
            _ => Product(x, axes),
        };
    }

    private Tensor Product(Tensor x, long[] axes)
    {
        using var scope = NewDisposeScope();
        var result = x.alias();
        foreach (var axis in axes.OrderDescending())
        {
            result = result.prod(axis, _keepDims);
        }

        return result.MoveToOuterDisposeScope();
    }
}

/// <summary>ONNX <c>GlobalMaxPool</c>: maximum over every spatial axis, kept as size 1.</summary>
internal sealed class GlobalMaxPoolNode : OnnxNodeModule
{
    public GlobalMaxPoolNode(OnnxNodeDefinition definition)
        : base(definition)
    {
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var axes = Enumerable.Range(2, (int)Math.Max(0, x.dim() - 2)).Select(a => (long)a).ToArray();
        return axes.Length == 0 ? x.alias() : x.amax(axes, keepdim: true);
    }
}
