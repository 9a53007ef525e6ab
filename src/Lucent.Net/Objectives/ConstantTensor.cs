using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary>
/// A constant (a weight vector, a direction, an image) kept as plain numbers, so that objectives
/// own no native memory; it becomes a tensor on the activations' device and type when needed.
/// </summary>
internal sealed class ConstantTensor
{
    private readonly float[] _values;

    private ConstantTensor(float[] values, long[] shape)
    {
        _values = values;
        Shape = shape;
    }

    /// <summary>The constant's shape.</summary>
    public long[] Shape { get; }

    /// <summary>How many numbers it holds.</summary>
    public long Length => _values.Length;

    /// <summary>Copies <paramref name="tensor"/> (any device and floating type); the caller keeps ownership of it.</summary>
    public static ConstantTensor From(Tensor tensor, string paramName)
    {
        ArgumentNullException.ThrowIfNull(tensor, paramName);
        if (tensor.numel() == 0)
        {
            throw new ArgumentException($"The {paramName} tensor is empty; pass one value per channel.", paramName);
        }

        using var scope = NewDisposeScope();
        using var flat = tensor.detach().to(ScalarType.Float32).cpu().contiguous().flatten();
        float[] values = flat.data<float>().ToArray();
        RequireFinite(values, paramName);
        return new ConstantTensor(values, tensor.shape);
    }

    /// <summary>Copies a vector.</summary>
    public static ConstantTensor From(ReadOnlySpan<float> values, string paramName)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException($"The {paramName} vector is empty; pass one value per channel.", paramName);
        }

        float[] copy = values.ToArray();
        RequireFinite(copy, paramName);
        return new ConstantTensor(copy, [copy.Length]);
    }

    /// <summary>
    /// The constant as a vector along axis 1 of a tensor shaped like <paramref name="like"/>
    /// (<c>[1, C, 1, ...]</c>), on its device and of its type. Registered with the current dispose scope.
    /// </summary>
    public Tensor AsChannelVector(Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[1] = _values.Length;
        return ToTensor(like, shape);
    }

    /// <summary>The constant in its own shape, on the device and of the type of <paramref name="like"/>.</summary>
    public Tensor AsTensor(Tensor like) => ToTensor(like, Shape);

    private Tensor ToTensor(Tensor like, long[] shape)
    {
        Tensor cpu = tensor(_values, shape, ScalarType.Float32);
        if (like.dtype == ScalarType.Float32 && like.device.type == TorchSharp.DeviceType.CPU)
        {
            return cpu;
        }

        return cpu.to(like.dtype, like.device);
    }

    private static void RequireFinite(float[] values, string paramName)
    {
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new ArgumentException($"The {paramName} holds a non-finite value ({values[bad]}) at flat index {bad}; every value must be finite.", paramName);
        }
    }
}
