using Lucent.Net.ModelZoo.Normalization;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>ONNX <c>BatchNormalization</c> in inference mode (running statistics, <c>epsilon</c>).</summary>
internal sealed class BatchNormalizationNode : OnnxNodeModule
{
    private readonly double _epsilon;

    public BatchNormalizationNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _epsilon = definition.Attributes.Float("epsilon", 1e-5f);
        if (definition.Attributes.Int("training_mode", 0) != 0)
        {
            throw new OnnxImportException(
                $"BatchNormalization node '{definition.DisplayName}' is in training mode; export the model for inference (training_mode = 0).");
        }

        if (definition.Attributes.Int("spatial", 1) == 0)
        {
            throw new OnnxImportException(
                $"BatchNormalization node '{definition.DisplayName}' has spatial = 0 (per-element statistics), which is not supported.");
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands) =>
        nn.functional.batch_norm(
            Operand(operands, 0),
            Operand(operands, 3),
            Operand(operands, 4),
            Operand(operands, 1),
            Operand(operands, 2),
            training: false,
            eps: _epsilon);
}

/// <summary>
/// ONNX <c>LRN</c>: <c>y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta</c>,
/// the window covering channels <c>c - floor((size-1)/2)</c> to <c>c + ceil((size-1)/2)</c>. Runs through the model
/// zoo's local response normalisation (block band products and one autograd node, as InceptionV1's; session 8): inputs
/// of rank other than 4 are viewed as (batch, channels, pixels, 1).
/// </summary>
internal sealed class LrnNode : OnnxNodeModule
{
    private readonly LrnSpec _spec;

    public LrnNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        double alpha = definition.Attributes.Float("alpha", 1e-4f);
        double beta = definition.Attributes.Float("beta", 0.75f);
        double bias = definition.Attributes.Float("bias", 1f);
        long size = definition.Attributes.Int("size", 0);
        if (size < 1 || size > SpatialGeometry.MaxExtent)
        {
            throw new OnnxImportException($"LRN node '{definition.DisplayName}' needs a 'size' attribute between 1 and {SpatialGeometry.MaxExtent}; it has {size}.");
        }

        _spec = LrnSpec.Onnx((int)size, alpha, beta, bias);
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        if (x.dim() == 4)
        {
            return LocalResponseNorm.Apply(x, _spec);
        }

        using var scope = NewDisposeScope();
        var shape = x.shape;
        long pixels = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        return LocalResponseNorm.Apply(x.reshape(shape[0], shape[1], pixels, 1), _spec).reshape(shape).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// ONNX <c>LayerNormalization</c> (opset 17): normalises over the axes from <c>axis</c> (default -1) to the
/// end, then scales and shifts by the broadcast <c>Scale</c> and optional <c>B</c>.
/// </summary>
internal sealed class LayerNormalizationNode : OnnxNodeModule
{
    private readonly long _axis;
    private readonly double _epsilon;

    public LayerNormalizationNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _axis = definition.Attributes.Int("axis", -1, -OnnxTensors.MaxRank, OnnxTensors.MaxRank - 1);
        _epsilon = definition.Attributes.Float("epsilon", 1e-5f);
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var scale = Operand(operands, 1);
        var bias = OptionalOperand(operands, 2);
        AxisCheck.Require(this, _axis, x.dim(), inclusiveEnd: false);
        var axis = _axis < 0 ? _axis + x.dim() : _axis;
        var normalized = x.shape.Skip((int)axis).ToArray();
        if (scale.shape.SequenceEqual(normalized) && (bias is null || bias.shape.SequenceEqual(normalized)))
        {
            return nn.functional.layer_norm(x, normalized, scale, bias, _epsilon);
        }

        using var scope = NewDisposeScope();
        var axes = Enumerable.Range((int)axis, normalized.Length).Select(a => (long)a).ToArray();
        var mean = x.mean(axes, keepdim: true);
        var centred = x - mean;
        var variance = centred.square().mean(axes, keepdim: true);
        var result = centred / (variance + _epsilon).sqrt() * scale;
        if (bias is not null)
        {
            result += bias;
        }

        return result.MoveToOuterDisposeScope();
    }
}

/// <summary>ONNX <c>InstanceNormalization</c>: per-sample, per-channel normalisation over the spatial axes, then <c>scale</c> and <c>B</c> per channel.</summary>
internal sealed class InstanceNormalizationNode : OnnxNodeModule
{
    private readonly double _epsilon;

    public InstanceNormalizationNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _epsilon = definition.Attributes.Float("epsilon", 1e-5f);
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var scale = Operand(operands, 1);
        var bias = Operand(operands, 2);
        if (x.dim() < 3 || scale.numel() != x.shape[1] || bias.numel() != x.shape[1])
        {
            throw new InvalidOperationException(
                $"InstanceNormalization node '{name}': input [{string.Join(", ", x.shape)}] needs (batch, channels, spatial...) and a scale and bias of one value per channel.");
        }

        using var scope = NewDisposeScope();
        var axes = Enumerable.Range(2, (int)x.dim() - 2).Select(a => (long)a).ToArray();
        var mean = x.mean(axes, keepdim: true);
        var centred = x - mean;
        var variance = centred.square().mean(axes, keepdim: true);
        var perChannel = new long[x.dim()];
        Array.Fill(perChannel, 1L);
        perChannel[1] = x.shape[1];
        var result = (centred / (variance + _epsilon).sqrt() * scale.reshape(perChannel)) + bias.reshape(perChannel);
        return result.MoveToOuterDisposeScope();
    }
}
