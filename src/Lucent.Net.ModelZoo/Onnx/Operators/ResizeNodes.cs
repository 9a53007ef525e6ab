using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>
/// ONNX <c>Resize</c> (opset 10+) and <c>Upsample</c> (7 to 9) of the spatial axes of a 3-, 4- or 5-D
/// input, by scales or sizes. Supported: <c>nearest</c> with <c>asymmetric</c>/<c>floor</c> (PyTorch's
/// nearest) or <c>half_pixel</c>/<c>round_prefer_ceil</c> (nearest-exact); <c>linear</c> and <c>cubic</c>
/// (a = -0.75) with <c>half_pixel</c>, <c>pytorch_half_pixel</c> or <c>align_corners</c>. Other
/// combinations are refused at import.
/// </summary>
internal sealed class ResizeNode : OnnxNodeModule
{
    private readonly InterpolationMode _mode;
    private readonly bool? _alignCorners;
    private readonly float[]? _attributeScales;
    private readonly bool _legacy;
    private readonly long _opset;

    public ResizeNode(OnnxNodeDefinition definition, bool upsample)
        : base(definition)
    {
        var attributes = definition.Attributes;
        _opset = definition.Opset;
        _legacy = upsample || definition.Opset < 11;
        var mode = attributes.String("mode", "nearest");
        var transform = attributes.String("coordinate_transformation_mode", _legacy ? "asymmetric" : "half_pixel");
        var nearestMode = attributes.String("nearest_mode", "round_prefer_floor");
        if (upsample && definition.Opset < 9)
        {
            _attributeScales = attributes.Floats("scales") ?? throw new OnnxImportException($"Upsample node '{definition.DisplayName}' lacks the required attribute 'scales'.");
        }

        if (attributes.Int("exclude_outside", 0) != 0 || (attributes.Has("antialias") && attributes.Int("antialias", 0) != 0))
        {
            throw new OnnxImportException($"Resize node '{definition.DisplayName}' uses exclude_outside or antialias, which are not supported.");
        }

        if (mode == "cubic" && Math.Abs(attributes.Float("cubic_coeff_a", -0.75f) + 0.75f) > 1e-6)
        {
            throw new OnnxImportException($"Resize node '{definition.DisplayName}' uses cubic_coeff_a other than -0.75, which is not supported.");
        }

        (_mode, _alignCorners) = (mode, transform, nearestMode) switch
        {
            ("nearest", "asymmetric", "floor") => (InterpolationMode.Nearest, (bool?)null),
            ("nearest", "asymmetric", _) when _legacy => (InterpolationMode.Nearest, null),
            ("nearest", "half_pixel", "round_prefer_ceil") => (InterpolationMode.NearestExact, null),
            ("linear" or "bilinear", "half_pixel" or "pytorch_half_pixel", _) => (InterpolationMode.Linear, false),
            ("linear" or "bilinear", "align_corners", _) => (InterpolationMode.Linear, true),
            ("cubic" or "bicubic", "half_pixel" or "pytorch_half_pixel", _) => (InterpolationMode.Bicubic, false),
            ("cubic" or "bicubic", "align_corners", _) => (InterpolationMode.Bicubic, true),
            _ => throw new OnnxImportException(
                $"Resize node '{definition.DisplayName}' uses mode '{mode}' with coordinate_transformation_mode '{transform}' and nearest_mode '{nearestMode}', " +
                "which is not supported (supported: nearest asymmetric/floor, nearest half_pixel/round_prefer_ceil, linear or cubic with half_pixel, pytorch_half_pixel or align_corners)."),
        };
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        var x = Operand(operands, 0);
        var rank = (int)x.dim();
        if (rank is < 3 or > 5)
        {
            throw new InvalidOperationException($"Resize node '{name}' supports 3- to 5-D inputs; got [{string.Join(", ", x.shape)}].");
        }

        double[]? scales = null;
        long[]? sizes = null;
        if (_attributeScales is not null)
        {
            scales = _attributeScales.Select(v => (double)v).ToArray();
        }
        else if (_legacy && _opset < 11)
        {
            scales = ReadScales(Operand(operands, 1));
        }
        else
        {
            if (OptionalOperand(operands, 3) is { } sizeTensor && sizeTensor.numel() > 0)
            {
                sizes = OnnxTensors.ToLongs(sizeTensor);
            }
            else if (OptionalOperand(operands, 2) is { } scaleTensor && scaleTensor.numel() > 0)
            {
                scales = ReadScales(scaleTensor);
            }
        }

        if ((scales?.Length ?? sizes?.Length) != rank)
        {
            throw new InvalidOperationException($"Resize node '{name}' needs {rank} scales or sizes for a rank-{rank} input.");
        }

        if (sizes is not null)
        {
            if (sizes[0] != x.shape[0] || sizes[1] != x.shape[1])
            {
                throw new InvalidOperationException($"Resize node '{name}' resizes only the spatial axes; sizes [{string.Join(", ", sizes)}] change batch or channels.");
            }

            OnnxTensors.CheckComputedShape(sizes, $"'{name}' (Resize)");
            return nn.functional.interpolate(x, size: sizes[2..], mode: Mode(rank), align_corners: _alignCorners);
        }

        if (scales![0] != 1 || scales[1] != 1 || scales.Any(s => !(s > 0) || double.IsInfinity(s)))
        {
            throw new InvalidOperationException($"Resize node '{name}' needs positive spatial scales and scale 1 for batch and channels; got [{string.Join(", ", scales)}].");
        }

        var output = x.shape.Zip(scales, (d, s) => (long)Math.Floor(d * s)).ToArray();
        OnnxTensors.CheckComputedShape(output, $"'{name}' (Resize)");
        return nn.functional.interpolate(x, scale_factor: scales[2..], mode: Mode(rank), align_corners: _alignCorners, recompute_scale_factor: false);
    }

    private InterpolationMode Mode(int rank) => _mode switch
    {
        InterpolationMode.Linear => rank switch { 3 => InterpolationMode.Linear, 4 => InterpolationMode.Bilinear, _ => InterpolationMode.Trilinear },
        _ => _mode,
    };

    private static double[] ReadScales(Tensor tensor)
    {
        using var cpu = tensor.to(ScalarType.Float64, torch.CPU);
        using var flat = cpu.flatten();
        return flat.data<double>().ToArray();
    }
}

/// <summary>ONNX <c>Einsum</c>: <c>equation</c> over the inputs (TorchSharp's einsum).</summary>
internal sealed class EinsumNode : OnnxNodeModule
{
    private readonly string _equation;

    public EinsumNode(OnnxNodeDefinition definition)
        : base(definition)
    {
        _equation = definition.Attributes.String("equation", string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (_equation.Length == 0 || _equation.Length > 256 || _equation.Any(c => !(char.IsAsciiLetter(c) || c is ',' or '-' or '>' or '.')))
        {
            throw new OnnxImportException(
                $"Einsum node '{definition.DisplayName}' has equation '{_equation}'; it must be 1 to 256 characters of letters, ',', '->' and '...'.");
        }
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands) =>
        torch.einsum(_equation, Enumerable.Range(0, operands.Count).Select(i => Operand(operands, i)).ToArray());
}
