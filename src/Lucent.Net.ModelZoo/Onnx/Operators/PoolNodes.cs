using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>ONNX <c>MaxPool</c> (2-D); asymmetric pads are applied explicitly with -inf.</summary>
internal sealed class MaxPoolNode : OnnxNodeModule
{
    private readonly SpatialGeometry _geometry;
    private readonly bool _ceilMode;

    public MaxPoolNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _geometry = new SpatialGeometry(definition, definition.Attributes.RequiredInts("kernel_shape"));
        _ceilMode = definition.Attributes.Int("ceil_mode", 0) != 0;
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var (begin, end) = _geometry.Resolve(x);
        if (_geometry.IsSymmetricWithin(begin, end, pooling: true))
        {
            return nn.functional.max_pool2d(x, _geometry.Kernel, _geometry.Strides, begin, _geometry.Dilations, _ceilMode);
        }

        using var padded = nn.functional.pad(x, SpatialGeometry.PadList(begin, end), PaddingModes.Constant, double.NegativeInfinity);
        return nn.functional.max_pool2d(padded, _geometry.Kernel, _geometry.Strides, [0, 0], _geometry.Dilations, _ceilMode);
    }
}

/// <summary>
/// ONNX <c>AveragePool</c> (2-D) with <c>count_include_pad</c>. Asymmetric pads are applied
/// explicitly; without count_include_pad the sum is divided by the number of real input elements.
/// </summary>
internal sealed class AveragePoolNode : OnnxNodeModule
{
    private readonly SpatialGeometry _geometry;
    private readonly bool _ceilMode;
    private readonly bool _countIncludePad;

    public AveragePoolNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _geometry = new SpatialGeometry(definition, definition.Attributes.RequiredInts("kernel_shape"));
        _ceilMode = definition.Attributes.Int("ceil_mode", 0) != 0;
        _countIncludePad = definition.Attributes.Int("count_include_pad", 0) != 0;
        if (_geometry.Dilations.Any(d => d != 1))
        {
            throw new OnnxImportException($"AveragePool node '{definition.DisplayName}' uses dilations, which are not supported.");
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var (begin, end) = _geometry.Resolve(x);
        if (_geometry.IsSymmetricWithin(begin, end, pooling: true))
        {
            return nn.functional.avg_pool2d(x, _geometry.Kernel, _geometry.Strides, begin, _ceilMode, _countIncludePad);
        }

        var pads = SpatialGeometry.PadList(begin, end);
        using var padded = nn.functional.pad(x, pads);
        if (_countIncludePad)
        {
            return nn.functional.avg_pool2d(padded, _geometry.Kernel, _geometry.Strides, [0, 0], _ceilMode, true);
        }

        // Mean over real elements only: average of the zero-padded input divided by the average
        // of a padded mask of ones (both use the same divisor, which cancels).
        using var ones = torch.ones(x.shape[0], 1, x.shape[2], x.shape[3], dtype: x.dtype, device: x.device);
        using var mask = nn.functional.pad(ones, pads);
        using var sums = nn.functional.avg_pool2d(padded, _geometry.Kernel, _geometry.Strides, [0, 0], _ceilMode, true);
        using var counts = nn.functional.avg_pool2d(mask, _geometry.Kernel, _geometry.Strides, [0, 0], _ceilMode, true);
        return sums / counts;
    }
}

/// <summary>ONNX <c>GlobalAveragePool</c>: mean over every spatial axis, kept as size 1.</summary>
internal sealed class GlobalAveragePoolNode : OnnxNodeModule
{
    public GlobalAveragePoolNode(OnnxNodeDefinition definition)
        : base(definition)
    {
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var axes = Enumerable.Range(2, (int)x.dim() - 2).Select(a => (long)a).ToArray();
        return axes.Length == 0 ? x.alias() : x.mean(axes, keepdim: true);
    }
}
