using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>
/// ONNX <c>Add</c>, <c>Sub</c>, <c>Mul</c>, <c>Div</c> with NumPy broadcasting (and the legacy
/// <c>broadcast</c>/<c>axis</c> attributes of opset &lt; 7).
/// </summary>
internal sealed class BinaryNode : OnnxNodeModule
{
    private readonly Func<Tensor, Tensor, Tensor> _function;
    private readonly long? _legacyAxis;

    public BinaryNode(OnnxNodeDefinition definition, Func<Tensor, Tensor, Tensor> function)
        : base(definition)
    {
        _function = function;
        if (definition.Opset < 7 && definition.Attributes.Int("broadcast", 0) != 0 && definition.Attributes.Has("axis"))
        {
            _legacyAxis = definition.Attributes.Int("axis", 0, -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var a = Operand(operands, 0);
        var b = Operand(operands, 1);
        if (_legacyAxis is not { } axis)
        {
            return _function(a, b);
        }

        // Legacy broadcasting aligns b's dimensions with a's starting at 'axis'.
        var start = axis < 0 ? axis + a.dim() : axis;
        var trailing = a.dim() - start - b.dim();
        var shape = b.shape.Concat(Enumerable.Repeat(1L, (int)Math.Max(0, trailing))).ToArray();
        using var aligned = b.reshape(shape);
        return _function(a, aligned);
    }
}

/// <summary>ONNX <c>Gemm</c>: <c>alpha * A' B' + beta * C</c> with optional transposes.</summary>
internal sealed class GemmNode : OnnxNodeModule
{
    private readonly double _alpha;
    private readonly double _beta;
    private readonly bool _transA;
    private readonly bool _transB;

    public GemmNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _alpha = definition.Attributes.Float("alpha", 1f);
        _beta = definition.Attributes.Float("beta", 1f);
        _transA = definition.Attributes.Int("transA", 0) != 0;
        _transB = definition.Attributes.Int("transB", 0) != 0;
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        using var scope = NewDisposeScope();
        var a = Operand(operands, 0);
        var b = Operand(operands, 1);
        var left = _transA ? a.t() : a;
        var right = _transB ? b.t() : b;
        var product = left.matmul(right);
        if (_alpha != 1.0)
        {
            product = product * _alpha;
        }

        if (OptionalOperand(operands, 2) is { } c)
        {
            product = _beta == 1.0 ? product + c : product + (c * _beta);
        }

        return product.MoveToOuterDisposeScope();
    }
}

/// <summary>ONNX <c>MatMul</c> (NumPy matmul semantics).</summary>
internal sealed class MatMulNode : OnnxNodeModule
{
    public MatMulNode(OnnxNodeDefinition definition)
        : base(definition)
    {
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands) =>
        torch.matmul(Operand(operands, 0), Operand(operands, 1));
}
