using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>ONNX <c>Concat</c> along <c>axis</c>.</summary>
internal sealed class ConcatNode : OnnxNodeModule
{
    private readonly long _axis;

    public ConcatNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _axis = definition.Attributes.Int("axis", 1, -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
    }

    /// <summary>Whether this Concat joins along axis 1 (the channels) of inputs of rank <paramref name="rank"/>.</summary>
    public bool IsChannelAxis(long rank) => _axis == 1 || (_axis < 0 && _axis + rank == 1);

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var parts = Enumerable.Range(0, operands.Count).Select(i => Operand(operands, i)).ToList();
        AxisCheck.Require(this, _axis, parts[0].dim(), inclusiveEnd: false);
        return torch.cat(parts, _axis);
    }
}

/// <summary>ONNX <c>Flatten</c>: a 2-D view <c>[prod(d[:axis]), prod(d[axis:])]</c>.</summary>
internal sealed class FlattenNode : OnnxNodeModule
{
    private readonly long _axis;

    public FlattenNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _axis = definition.Attributes.Int("axis", 1, -OnnxTensors.MaxRank, OnnxTensors.MaxRank);
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        AxisCheck.Require(this, _axis, x.dim(), inclusiveEnd: true);
        var axis = _axis < 0 ? _axis + x.dim() : _axis;
        var leading = x.shape.Take((int)axis).Aggregate(1L, (a, b) => a * b);
        var trailing = x.shape.Skip((int)axis).Aggregate(1L, (a, b) => a * b);
        return x.reshape(leading, trailing);
    }
}

/// <summary>
/// ONNX <c>Reshape</c>: target shape from the second input (opset 5+) or the <c>shape</c>
/// attribute; 0 copies the input's dimension (unless <c>allowzero</c>), -1 is inferred.
/// </summary>
internal sealed class ReshapeNode : OnnxNodeModule
{
    private readonly long[]? _attributeShape;
    private readonly bool _allowZero;

    public ReshapeNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _attributeShape = definition.Opset < 5 ? definition.Attributes.Ints("shape") : null;
        _allowZero = definition.Attributes.Int("allowzero", 0) != 0;
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var requested = _attributeShape ?? OnnxTensors.ToLongs(Operand(operands, 1));
        var shape = new long[requested.Length];
        for (var i = 0; i < requested.Length; i++)
        {
            shape[i] = requested[i] == 0 && !_allowZero ? x.shape[i] : requested[i];
        }

        return x.reshape(shape);
    }
}

/// <summary>
/// ONNX <c>Pad</c>: modes constant, reflect, edge (and wrap); pads from the attribute (opset &lt; 11)
/// or the second input, with optional constant value and axes inputs.
/// </summary>
internal sealed class PadNode : OnnxNodeModule
{
    private readonly long[]? _attributePads;
    private readonly double _attributeValue;
    private readonly PaddingModes _mode;
    private readonly string _modeName;

    public PadNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _modeName = definition.Attributes.String("mode", "constant");
        _mode = _modeName switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "edge" => PaddingModes.Replicate,
            "wrap" => PaddingModes.Circular,
            _ => throw new OnnxImportException($"Pad node '{definition.DisplayName}' uses mode '{_modeName}'; supported: constant, reflect, edge, wrap."),
        };
        if (definition.Opset < 11)
        {
            _attributePads = definition.Attributes.Ints("paddings") ?? definition.Attributes.RequiredInts("pads");
            _attributeValue = definition.Attributes.Float("value", 0f);
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var rank = (int)x.dim();
        var value = _attributeValue;
        long[] pads;
        if (_attributePads is not null)
        {
            pads = _attributePads;
        }
        else
        {
            var given = OnnxTensors.ToLongs(Operand(operands, 1));
            if (OptionalOperand(operands, 2) is { } constant && constant.numel() > 0)
            {
                value = OnnxTensors.ToDouble(constant);
            }

            pads = new long[2 * rank];
            if (OptionalOperand(operands, 3) is { } axesTensor)
            {
                var axes = OnnxTensors.ToLongs(axesTensor);
                for (var i = 0; i < axes.Length; i++)
                {
                    var axis = axes[i] < 0 ? axes[i] + rank : axes[i];
                    pads[axis] = given[i];
                    pads[axis + rank] = given[i + axes.Length];
                }
            }
            else
            {
                pads = given;
            }
        }

        if (pads.Length != 2 * rank)
        {
            throw new InvalidOperationException($"Pad node '{name}': {pads.Length} pads for a rank-{rank} input (expected {2 * rank}).");
        }

        var first = 0;
        while (first < rank && pads[first] == 0 && pads[first + rank] == 0)
        {
            first++;
        }

        if (first == rank)
        {
            return x.alias();
        }

        if (_mode != PaddingModes.Constant && (first < 2 || rank - first > 3))
        {
            throw new InvalidOperationException(
                $"Pad node '{name}': mode '{_modeName}' is supported on up to three trailing axes after batch and channel; the pads touch axis {first}.");
        }

        var list = new List<long>();
        for (var axis = rank - 1; axis >= first; axis--)
        {
            list.Add(pads[axis]);
            list.Add(pads[axis + rank]);
        }

        return nn.functional.pad(x, list.ToArray(), _mode, value);
    }
}

/// <summary>ONNX <c>Constant</c>: its value is a buffer; the node ignores its (placeholder) input.</summary>
internal sealed class ConstantNode : OnnxNodeModule
{
    public ConstantNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        var attributes = definition.Attributes;
        Tensor value;
        if (attributes.Tensor("value") is { } proto)
        {
            value = OnnxTensors.ToTensor(proto, $"Constant node '{definition.DisplayName}'");
        }
        else if (attributes.Has("value_float"))
        {
            value = torch.tensor(attributes.Float("value_float", 0f));
        }
        else if (attributes.Floats("value_floats") is { } floats)
        {
            value = torch.tensor(floats);
        }
        else if (attributes.Has("value_int"))
        {
            value = torch.tensor(attributes.Int("value_int", 0));
        }
        else if (attributes.Ints("value_ints") is { } ints)
        {
            value = torch.tensor(ints);
        }
        else
        {
            throw new OnnxImportException(
                $"Constant node '{definition.DisplayName}' has none of the supported value attributes (value, value_float(s), value_int(s)).");
        }

        register_buffer("value", value);
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands) =>
        (get_buffer("value") ?? throw new InvalidOperationException($"Constant node '{name}' lost its value buffer.")).alias();
}
