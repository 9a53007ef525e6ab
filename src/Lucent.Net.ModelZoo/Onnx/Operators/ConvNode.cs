using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>ONNX <c>Conv</c> (2-D): groups, dilations, strides, symmetric or asymmetric pads, auto_pad.</summary>
internal sealed class ConvNode : OnnxNodeModule
{
    private readonly OnnxNodeDefinition _definition;
    private readonly long _group;
    private SpatialGeometry? _geometry;

    public ConvNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _definition = definition;
        _group = definition.Attributes.Int("group", 1, 1, 1 << 20);
        if (definition.Attributes.Ints("kernel_shape") is { } kernel)
        {
            _geometry = new SpatialGeometry(definition, kernel);
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var weight = Operand(operands, 1);
        var bias = OptionalOperand(operands, 2);
        if (x.dim() != 4 || weight.dim() != 4)
        {
            throw new InvalidOperationException($"Conv node '{name}' supports 4-D (NCHW) inputs and weights; got input [{string.Join(", ", x.shape)}].");
        }

        if (weight.shape[0] % _group != 0 || x.shape[1] != weight.shape[1] * _group)
        {
            throw new InvalidOperationException(
                $"Conv node '{name}': input [{string.Join(", ", x.shape)}] and weight [{string.Join(", ", weight.shape)}] do not fit group = {_group} " +
                "(input channels must be weight.shape[1] * group, output channels a multiple of group).");
        }

        _geometry ??= new SpatialGeometry(_definition, [weight.shape[2], weight.shape[3]]);
        var (begin, end) = _geometry.Resolve(x);
        if (begin.SequenceEqual(end))
        {
            return nn.functional.conv2d(x, weight, bias, _geometry.Strides, begin, _geometry.Dilations, _group);
        }

        using var padded = nn.functional.pad(x, SpatialGeometry.PadList(begin, end));
        return nn.functional.conv2d(padded, weight, bias, _geometry.Strides, [0, 0], _geometry.Dilations, _group);
    }
}
