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
/// the window covering channels <c>c - floor((size-1)/2)</c> to <c>c + ceil((size-1)/2)</c>.
/// </summary>
internal sealed class LrnNode : OnnxNodeModule
{
    private readonly double _alpha;
    private readonly double _beta;
    private readonly double _bias;
    private readonly long _size;

    public LrnNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _alpha = definition.Attributes.Float("alpha", 1e-4f);
        _beta = definition.Attributes.Float("beta", 0.75f);
        _bias = definition.Attributes.Float("bias", 1f);
        _size = definition.Attributes.Int("size", 0);
        if (_size < 1 || _size > SpatialGeometry.MaxExtent)
        {
            throw new OnnxImportException($"LRN node '{definition.DisplayName}' needs a 'size' attribute between 1 and {SpatialGeometry.MaxExtent}; it has {_size}.");
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var rest = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        var squares = x.square().reshape(shape[0], 1, shape[1], rest);
        var before = (_size - 1) / 2;
        var after = _size - 1 - before;
        var padded = nn.functional.pad(squares, [0, 0, before, after]);
        var windowMean = nn.functional.avg_pool2d(padded, [_size, 1], [1, 1], [0, 0], false, true).reshape(shape);
        var denominator = (windowMean * _alpha + _bias).pow(_beta);
        return (x / denominator).MoveToOuterDisposeScope();
    }
}
