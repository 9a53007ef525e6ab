using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>Padding, stride and kernel geometry shared by Conv, MaxPool and AveragePool (2-D).</summary>
internal sealed class SpatialGeometry
{
    /// <summary>The largest kernel size, stride, dilation or pad accepted (a real network's are far smaller; larger ones only cost memory).</summary>
    internal const long MaxExtent = 1024;

    private readonly string _autoPad;
    private readonly long[] _pads;

    public SpatialGeometry(OnnxNodeDefinition definition, long[] kernel)
    {
        var attributes = definition.Attributes;
        Kernel = kernel;
        if (Array.FindIndex(kernel, k => k < 1 || k > MaxExtent) is var bad and >= 0)
        {
            throw new OnnxImportException(
                $"Node '{definition.DisplayName}' ({definition.Proto.OpType}) has kernel size {kernel[bad]} (kernel_shape [{string.Join(", ", kernel)}]); each must be between 1 and {MaxExtent}.");
        }

        if (kernel.Length != 2)
        {
            throw new OnnxImportException(
                $"Node '{definition.DisplayName}' ({definition.Proto.OpType}) has a {kernel.Length}-D kernel; only 2-D (NCHW) is supported.");
        }

        Strides = attributes.Ints("strides", 1, MaxExtent) ?? [1, 1];
        Dilations = attributes.Ints("dilations", 1, MaxExtent) ?? [1, 1];
        _pads = attributes.Ints("pads", 0, MaxExtent) ?? [0, 0, 0, 0];
        _autoPad = attributes.String("auto_pad", "NOTSET");
        if (_pads.Length != 4 || Strides.Length != 2 || Dilations.Length != 2)
        {
            throw new OnnxImportException(
                $"Node '{definition.DisplayName}' ({definition.Proto.OpType}): pads, strides or dilations do not match a 2-D kernel.");
        }

        if (_autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
        {
            throw new OnnxImportException($"Node '{definition.DisplayName}': unknown auto_pad '{_autoPad}'.");
        }
    }

    public long[] Kernel { get; }

    public long[] Strides { get; }

    public long[] Dilations { get; }

    /// <summary>Padding before and after each spatial axis (height, width) for an input.</summary>
    public (long[] Begin, long[] End) Resolve(Tensor input)
    {
        switch (_autoPad)
        {
            case "VALID":
                return ([0, 0], [0, 0]);
            case "SAME_UPPER":
            case "SAME_LOWER":
                var begin = new long[2];
                var end = new long[2];
                for (var axis = 0; axis < 2; axis++)
                {
                    var size = input.shape[2 + axis];
                    var output = (size + Strides[axis] - 1) / Strides[axis];
                    var extent = ((Kernel[axis] - 1) * Dilations[axis]) + 1;
                    var total = Math.Max(0, ((output - 1) * Strides[axis]) + extent - size);
                    var small = total / 2;
                    begin[axis] = _autoPad == "SAME_UPPER" ? small : total - small;
                    end[axis] = total - begin[axis];
                }

                return (begin, end);
            default:
                return ([_pads[0], _pads[1]], [_pads[2], _pads[3]]);
        }
    }

    /// <summary>TorchSharp's pad list (last axis first) for the given begin and end pads.</summary>
    public static long[] PadList(long[] begin, long[] end) => [begin[1], end[1], begin[0], end[0]];

    /// <summary>Whether the built-in symmetric padding of a TorchSharp pooling op can express the pads.</summary>
    public bool IsSymmetricWithin(long[] begin, long[] end, bool pooling)
    {
        for (var axis = 0; axis < 2; axis++)
        {
            if (begin[axis] != end[axis] || (pooling && begin[axis] > Kernel[axis] / 2))
            {
                return false;
            }
        }

        return true;
    }
}
