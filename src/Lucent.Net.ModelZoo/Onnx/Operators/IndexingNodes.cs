using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>ONNX <c>Transpose</c>: <c>perm</c> (default: reversed axes), validated as a permutation at import.</summary>
internal sealed class TransposeNode : OnnxNodeModule
{
    private readonly long[]? _perm;

    public TransposeNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _perm = definition.Attributes.Ints("perm", 0, OnnxTensors.MaxRank - 1);
        if (_perm is not null && (_perm.Distinct().Count() != _perm.Length || _perm.Any(p => p >= _perm.Length)))
        {
            throw new OnnxImportException(
                $"Transpose node '{definition.DisplayName}': perm [{string.Join(", ", _perm)}] is not a permutation of 0..{_perm.Length - 1}.");
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var perm = _perm ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(a => (long)a).ToArray();
        if (perm.Length != x.dim())
        {
            throw new InvalidOperationException($"Transpose node '{name}': perm has {perm.Length} axes but the input has rank {x.dim()}.");
        }

        return x.permute(perm);
    }
}

/// <summary>ONNX <c>Shape</c> (with <c>start</c>/<c>end</c>, opset 15) and <c>Size</c>: int64 values of the input's shape.</summary>
internal sealed class ShapeNode : OnnxNodeModule
{
    private readonly bool _size;
    private readonly long _start;
    private readonly long? _end;

    public ShapeNode(OnnxNodeDefinition definition, bool size)
        : base(definition)
    {
        _size = size;
        _start = definition.Attributes.Int("start", 0, -OnnxTensors.MaxRank, OnnxTensors.MaxRank);
        _end = definition.Attributes.Has("end") ? definition.Attributes.Int("end", 0, -OnnxTensors.MaxRank, OnnxTensors.MaxRank) : null;
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        if (_size)
        {
            return torch.tensor(x.numel(), ScalarType.Int64, x.device);
        }

        var rank = x.dim();
        var start = Math.Clamp(_start < 0 ? _start + rank : _start, 0, rank);
        var endValue = _end ?? rank;
        var end = Math.Clamp(endValue < 0 ? endValue + rank : endValue, 0, rank);
        var dims = x.shape.Skip((int)start).Take((int)Math.Max(0, end - start)).ToArray();
        return torch.tensor(dims, ScalarType.Int64, x.device);
    }
}

/// <summary>ONNX <c>Gather</c>: <c>indices</c> (negative ones count from the end) pick along <c>axis</c>.</summary>
internal sealed class GatherNode : OnnxNodeModule
{
    private readonly long _axis;

    public GatherNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _axis = definition.Attributes.Int("axis", 0, -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var indices = Operand(operands, 1);
        AxisCheck.Require(this, _axis, x.dim(), inclusiveEnd: false);
        var axis = _axis < 0 ? _axis + x.dim() : _axis;
        var extent = x.shape[axis];
        using var scope = NewDisposeScope();
        var index = indices.to(ScalarType.Int64, x.device);
        index = torch.where(index.lt(0), index + extent, index);
        if (index.numel() > 0 && (index.min().item<long>() < 0 || index.max().item<long>() >= extent))
        {
            throw new InvalidOperationException(
                $"Gather node '{name}': an index is outside [-{extent}, {extent - 1}] for axis {axis} of an input of shape [{string.Join(", ", x.shape)}].");
        }

        var picked = x.index_select(axis, index.flatten());
        var shape = x.shape.Take((int)axis).Concat(indices.shape).Concat(x.shape.Skip((int)axis + 1)).ToArray();
        return picked.reshape(shape).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// ONNX <c>Slice</c>: starts/ends/axes as attributes (opset &lt; 10) or inputs with optional axes and steps;
/// out-of-range bounds are clamped as the specification says; negative steps walk backwards.
/// </summary>
internal sealed class SliceNode : OnnxNodeModule
{
    private readonly long[]? _attributeStarts;
    private readonly long[]? _attributeEnds;
    private readonly long[]? _attributeAxes;

    public SliceNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        if (definition.Opset < 10)
        {
            _attributeStarts = definition.Attributes.RequiredInts("starts");
            _attributeEnds = definition.Attributes.RequiredInts("ends");
            _attributeAxes = definition.Attributes.Ints("axes", -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var starts = _attributeStarts ?? OnnxTensors.ToLongs(Operand(operands, 1));
        var ends = _attributeEnds ?? OnnxTensors.ToLongs(Operand(operands, 2));
        var axes = _attributeAxes ?? (OptionalOperand(operands, 3) is { } a ? OnnxTensors.ToLongs(a) : null)
            ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = OptionalOperand(operands, 4) is { } s ? OnnxTensors.ToLongs(s) : Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
        {
            throw new InvalidOperationException(
                $"Slice node '{name}': starts ({starts.Length}), ends ({ends.Length}), axes ({axes.Length}) and steps ({steps.Length}) must have the same length.");
        }

        using var scope = NewDisposeScope();
        var result = x.alias();
        var rank = x.dim();
        for (var i = 0; i < starts.Length; i++)
        {
            AxisCheck.Require(this, axes[i], rank, inclusiveEnd: false);
            var axis = axes[i] < 0 ? axes[i] + rank : axes[i];
            var dim = x.shape[axis];
            var step = steps[i];
            if (step == 0)
            {
                throw new InvalidOperationException($"Slice node '{name}': step 0 on axis {axis}; steps must not be 0.");
            }

            var start = Normalise(starts[i], dim);
            var end = Normalise(ends[i], dim);
            if (step > 0)
            {
                start = Math.Clamp(start, 0, dim);
                end = Math.Clamp(end, 0, dim);
                result = end > start ? result.slice(axis, start, end, step) : result.narrow(axis, 0, 0);
            }
            else
            {
                start = Math.Clamp(start, 0, dim - 1);
                end = Math.Clamp(end, -1, dim - 1);
                var count = start > end ? ((start - end - 1) / -step) + 1 : 0;
                using var index = torch.arange(start, start + (step * count), step, ScalarType.Int64, x.device);
                result = count > 0 ? result.index_select(axis, index) : result.narrow(axis, 0, 0);
            }
        }

        return result.MoveToOuterDisposeScope();
    }

    /// <summary>A negative bound counts from the end; the extreme int64 values ONNX uses for "to the end" stay extreme.</summary>
    private static long Normalise(long bound, long dim) => bound < 0 ? Math.Max(bound, long.MinValue + dim) + dim : bound;
}

/// <summary>ONNX <c>ConstantOfShape</c>: a tensor of the input shape filled with <c>value</c> (default float 0).</summary>
internal sealed class ConstantOfShapeNode : OnnxNodeModule
{
    private readonly double _value;
    private readonly ScalarType _type;

    public ConstantOfShapeNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _type = ScalarType.Float32;
        if (definition.Attributes.Tensor("value") is { } proto)
        {
            using var value = OnnxTensors.ToTensor(proto, $"ConstantOfShape node '{definition.DisplayName}'");
            if (value.numel() != 1)
            {
                throw new OnnxImportException($"ConstantOfShape node '{definition.DisplayName}': 'value' must hold one value; it holds {value.numel()}.");
            }

            _type = value.dtype;
            _value = OnnxTensors.ToDouble(value);
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var input = Operand(operands, 0);
        var shape = OnnxTensors.ToLongs(input);
        OnnxTensors.CheckComputedShape(shape, $"'{name}' (ConstantOfShape)");
        return torch.full(shape, _value, _type, input.device);
    }
}

/// <summary>ONNX <c>Expand</c>: broadcasts the input to a shape (bidirectionally, as NumPy does).</summary>
internal sealed class ExpandNode : OnnxNodeModule
{
    public ExpandNode(OnnxNodeDefinition definition)
        : base(definition)
    {
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var requested = OnnxTensors.ToLongs(Operand(operands, 1));
        var rank = Math.Max(requested.Length, (int)x.dim());
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var a = i - (rank - (int)x.dim()) is var ia && ia >= 0 ? x.shape[ia] : 1;
            var b = i - (rank - requested.Length) is var ib && ib >= 0 ? requested[ib] : 1;
            if (a != b && a != 1 && b != 1)
            {
                throw new InvalidOperationException(
                    $"Expand node '{name}': input shape [{string.Join(", ", x.shape)}] cannot be broadcast to [{string.Join(", ", requested)}].");
            }

            shape[i] = a == 1 ? b : a;
        }

        OnnxTensors.CheckComputedShape(shape, $"'{name}' (Expand)");
        return x.expand(shape);
    }
}

/// <summary>ONNX <c>Tile</c>: repeats the input along each axis.</summary>
internal sealed class TileNode : OnnxNodeModule
{
    public TileNode(OnnxNodeDefinition definition)
        : base(definition)
    {
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var repeats = OnnxTensors.ToLongs(Operand(operands, 1));
        if (repeats.Length != x.dim())
        {
            throw new InvalidOperationException($"Tile node '{name}': {repeats.Length} repeats for a rank-{x.dim()} input.");
        }

        var shape = x.shape.Zip(repeats, (d, r) => r < 0 ? -1 : d * r).ToArray();
        OnnxTensors.CheckComputedShape(shape, $"'{name}' (Tile)");
        return x.repeat(repeats);
    }
}

/// <summary>ONNX <c>Unsqueeze</c> and <c>Squeeze</c>: axes as an attribute (opset &lt; 13) or an input.</summary>
internal sealed class SqueezeNode : OnnxNodeModule
{
    private readonly bool _unsqueeze;
    private readonly long[]? _attributeAxes;

    public SqueezeNode(OnnxNodeDefinition definition, bool unsqueeze)
        : base(definition)
    {
        _unsqueeze = unsqueeze;
        if (definition.Opset < 13)
        {
            _attributeAxes = definition.Attributes.Ints("axes", -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
            if (unsqueeze && _attributeAxes is null)
            {
                throw new OnnxImportException($"Unsqueeze node '{definition.DisplayName}' lacks the required attribute 'axes'.");
            }
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var axes = _attributeAxes ?? (OptionalOperand(operands, 1) is { } a ? OnnxTensors.ToLongs(a) : null);
        if (_unsqueeze)
        {
            var given = axes ?? [];
            var rank = x.dim() + given.Length;
            foreach (var axis in given)
            {
                AxisCheck.Require(this, axis, rank, inclusiveEnd: false);
            }

            var shape = x.shape.ToList();
            foreach (var axis in given.Select(v => v < 0 ? v + rank : v).Order())
            {
                shape.Insert((int)axis, 1);
            }

            return x.reshape(shape.ToArray());
        }

        if (axes is null || axes.Length == 0)
        {
            return x.reshape(x.shape.Where(d => d != 1).ToArray());
        }

        var inputRank = x.dim();
        foreach (var axis in axes)
        {
            AxisCheck.Require(this, axis, inputRank, inclusiveEnd: false);
        }

        var drop = axes.Select(v => v < 0 ? v + inputRank : v).ToHashSet();
        if (drop.Any(axis => x.shape[axis] != 1))
        {
            throw new InvalidOperationException($"Squeeze node '{name}': axes [{string.Join(", ", axes)}] of shape [{string.Join(", ", x.shape)}] are not all 1.");
        }

        return x.reshape(x.shape.Where((_, i) => !drop.Contains(i)).ToArray());
    }
}

/// <summary>ONNX <c>Range</c>: <c>start, start + delta, ...</c> up to (not including) <c>limit</c>, of start's type.</summary>
internal sealed class RangeNode : OnnxNodeModule
{
    public RangeNode(OnnxNodeDefinition definition)
        : base(definition)
    {
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var startTensor = Operand(operands, 0);
        var start = OnnxTensors.ToDouble(startTensor);
        var limit = OnnxTensors.ToDouble(Operand(operands, 1));
        var delta = OnnxTensors.ToDouble(Operand(operands, 2));
        if (delta == 0 || double.IsNaN(delta) || double.IsNaN(start) || double.IsNaN(limit))
        {
            throw new InvalidOperationException($"Range node '{name}': delta must be a non-zero number (start {start}, limit {limit}, delta {delta}).");
        }

        var count = Math.Max(Math.Ceiling((limit - start) / delta), 0);
        OnnxTensors.CheckComputedShape([count > long.MaxValue / 2 ? long.MaxValue / 2 : (long)count], $"'{name}' (Range)");
        using var steps = torch.arange(0, (long)count, 1, ScalarType.Float64, startTensor.device);
        using var scaled = steps * delta;
        using var values = scaled + start;
        return values.to_type(startTensor.dtype);
    }
}

/// <summary>ONNX <c>ScatterND</c>: a copy of data with slices at <c>indices</c> replaced by (or reduced with) <c>updates</c>.</summary>
internal sealed class ScatterNdNode : OnnxNodeModule
{
    private readonly string _reduction;

    public ScatterNdNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _reduction = definition.Attributes.String("reduction", "none");
        if (_reduction is not ("none" or "add" or "mul"))
        {
            throw new OnnxImportException($"ScatterND node '{definition.DisplayName}' has reduction '{_reduction}'; supported: none, add, mul.");
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var data = Operand(operands, 0);
        var indices = Operand(operands, 1);
        var updates = Operand(operands, 2);
        var k = indices.dim() == 0 ? 0 : indices.shape[^1];
        if (indices.dim() == 0 || k > data.dim())
        {
            throw new InvalidOperationException(
                $"ScatterND node '{name}': indices of shape [{string.Join(", ", indices.shape)}] do not fit data of rank {data.dim()}.");
        }

        using var scope = NewDisposeScope();
        var leading = data.shape.Take((int)k).ToArray();
        var rest = data.shape.Skip((int)k).ToArray();
        var index = indices.to(ScalarType.Int64, data.device).reshape(-1, k);
        var linear = torch.zeros(index.shape[0], ScalarType.Int64, data.device);
        for (var j = 0; j < k; j++)
        {
            var column = index.select(1, j);
            column = torch.where(column.lt(0), column + leading[j], column);
            if (column.numel() > 0 && (column.min().item<long>() < 0 || column.max().item<long>() >= leading[j]))
            {
                throw new InvalidOperationException($"ScatterND node '{name}': an index of axis {j} is outside [-{leading[j]}, {leading[j] - 1}].");
            }

            linear = (linear * leading[j]) + column;
        }

        var flat = data.reshape([leading.Aggregate(1L, (a, b) => a * b), .. rest]);
        var source = updates.reshape([index.shape[0], .. rest]).to_type(data.dtype);
        var result = _reduction switch
        {
            "add" => flat.index_add(0, linear, source, 1),
            "mul" => MultiplyAt(flat, linear, source),
            _ => flat.index_copy(0, linear, source),
        };
        return result.reshape(data.shape).MoveToOuterDisposeScope();
    }

    private static Tensor MultiplyAt(Tensor flat, Tensor linear, Tensor source)
    {
        var result = flat.clone();
        for (var i = 0; i < linear.shape[0]; i++)
        {
            var row = linear[i].item<long>();
            result[row] = result[row] * source[i];
        }

        return result;
    }
}

/// <summary>
/// ONNX <c>Split</c> along <c>axis</c>: sizes from the <c>split</c> attribute (opset &lt; 13), the optional
/// second input (13+), <c>num_outputs</c> (18+), or equal parts, one per output.
/// </summary>
internal sealed class SplitNode : OnnxNodeModule
{
    private readonly long _axis;
    private readonly long[]? _attributeSplit;
    private readonly int _outputs;

    public SplitNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _axis = definition.Attributes.Int("axis", 0, -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
        _attributeSplit = definition.Opset < 13 ? definition.Attributes.Ints("split", 0, int.MaxValue) : null;
        _outputs = definition.Proto.Output.Count;
        if (_outputs > 4096)
        {
            throw new OnnxImportException($"Split node '{definition.DisplayName}' has {_outputs} outputs; at most 4096 are supported.");
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        AxisCheck.Require(this, _axis, x.dim(), inclusiveEnd: false);
        var axis = _axis < 0 ? _axis + x.dim() : _axis;
        var extent = x.shape[axis];
        var sizes = _attributeSplit ?? (OptionalOperand(operands, 1) is { } s ? OnnxTensors.ToLongs(s) : null);
        if (sizes is null)
        {
            var part = (extent + _outputs - 1) / _outputs;
            sizes = Enumerable.Range(0, _outputs).Select(i => Math.Clamp(extent - (i * part), 0, part)).ToArray();
        }

        if (sizes.Length != _outputs || sizes.Any(v => v < 0) || sizes.Sum() != extent)
        {
            throw new InvalidOperationException(
                $"Split node '{name}': sizes [{string.Join(", ", sizes)}] for {_outputs} outputs do not add up to axis {axis}'s extent {extent}.");
        }

        var parts = new Tensor[sizes.Length];
        long offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            parts[i] = x.narrow(axis, offset, sizes[i]);
            offset += sizes[i];
        }

        SetSecondaryOutputs(parts[1..]);
        return parts[0];
    }
}
