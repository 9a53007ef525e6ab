using Lucent.Net.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>ONNX <c>Relu</c>; optionally Lucid's redirected ReLU (same forward, redirected gradient).</summary>
internal sealed class ReluNode : OnnxNodeModule
{
    public ReluNode(OnnxNodeDefinition definition, bool redirected)
        : base(definition)
    {
        Redirected = redirected;
    }

    /// <summary>Whether the backward pass uses <see cref="RedirectedRelu"/>.</summary>
    public bool Redirected { get; set; }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        return Redirected ? RedirectedRelu.Apply(x) : nn.functional.relu(x);
    }
}

/// <summary>ONNX <c>LeakyRelu</c> (alpha, default 0.01).</summary>
internal sealed class LeakyReluNode : OnnxNodeModule
{
    private readonly double _alpha;

    public LeakyReluNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _alpha = definition.Attributes.Float("alpha", 0.01f);
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands) =>
        nn.functional.leaky_relu(Operand(operands, 0), _alpha);
}

/// <summary>ONNX <c>Sigmoid</c> and <c>Tanh</c>.</summary>
internal sealed class UnaryNode : OnnxNodeModule
{
    private readonly Func<Tensor, Tensor> _function;

    public UnaryNode(OnnxNodeDefinition definition, Func<Tensor, Tensor> function)
        : base(definition)
    {
        _function = function;
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands) => _function(Operand(operands, 0));
}

/// <summary>ONNX <c>Clip</c>: bounds as attributes (opset &lt; 11) or optional inputs (opset 11+).</summary>
internal sealed class ClipNode : OnnxNodeModule
{
    private readonly double? _min;
    private readonly double? _max;
    private readonly bool _boundsAreInputs;

    public ClipNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _boundsAreInputs = definition.Opset >= 11;
        if (!_boundsAreInputs)
        {
            _min = definition.Attributes.Has("min") ? definition.Attributes.Float("min", float.MinValue) : null;
            _max = definition.Attributes.Has("max") ? definition.Attributes.Float("max", float.MaxValue) : null;
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var min = _min;
        var max = _max;
        if (_boundsAreInputs)
        {
            min = OptionalOperand(operands, 1) is { } lower ? OnnxTensors.ToDouble(lower) : null;
            max = OptionalOperand(operands, 2) is { } upper ? OnnxTensors.ToDouble(upper) : null;
        }

        return (min, max) switch
        {
            (null, null) => x.alias(),
            ({ } lo, null) => x.clamp_min(lo),
            (null, { } hi) => x.clamp_max(hi),
            ({ } lo, { } hi) => x.clamp(lo, hi),
        };
    }
}

/// <summary>ONNX <c>Softmax</c>: opset &lt; 13 flattens from <c>axis</c> (default 1); opset 13+ uses one axis (default -1).</summary>
internal sealed class SoftmaxNode : OnnxNodeModule
{
    private readonly long _axis;
    private readonly bool _legacy;

    public SoftmaxNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _legacy = definition.Opset < 13;
        _axis = definition.Attributes.Int("axis", _legacy ? 1 : -1, -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        AxisCheck.Require(this, _axis, x.dim(), inclusiveEnd: false);
        var axis = _axis < 0 ? _axis + x.dim() : _axis;
        if (!_legacy)
        {
            return x.softmax(axis);
        }

        var leading = x.shape.Take((int)axis).Aggregate(1L, (a, b) => a * b);
        using var flat = x.reshape(leading, -1);
        using var soft = flat.softmax(1);
        return soft.reshape(x.shape);
    }
}

/// <summary>ONNX <c>Dropout</c> (identity at inference) and <c>Identity</c>.</summary>
internal sealed class IdentityNode : OnnxNodeModule
{
    public IdentityNode(OnnxNodeDefinition definition)
        : base(definition)
    {
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands) => Operand(operands, 0).alias();
}
