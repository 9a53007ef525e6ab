using System.Runtime.InteropServices;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>Converts ONNX <c>TensorProto</c> values (initializers, constants) to TorchSharp tensors.</summary>
internal static class OnnxTensors
{
    private const int Float = 1;
    private const int UInt8 = 2;
    private const int Int8 = 3;
    private const int Int16 = 5;
    private const int Int32 = 6;
    private const int Int64 = 7;
    private const int Bool = 9;
    private const int Float16 = 10;
    private const int Double = 11;

    /// <summary>The highest rank an initializer or constant may have.</summary>
    internal const int MaxRank = 16;

    /// <summary>The most values one initializer or constant may hold (the largest .NET array of floats).</summary>
    internal const long MaxElements = int.MaxValue;

    /// <summary>
    /// The most values a tensor whose shape comes from the graph's values (ConstantOfShape, Expand,
    /// Tile, Range, Resize) may have: 2^28 (1 GiB of floats), so a hostile shape fails cleanly instead
    /// of exhausting memory.
    /// </summary>
    internal const long MaxComputedElements = 1L << 28;

    /// <summary>Checks the shape a node is about to create from values of the graph.</summary>
    /// <param name="dims">The shape.</param>
    /// <param name="node">The node's name and operator (for the message).</param>
    /// <exception cref="OnnxImportException">A dimension is negative, or the count is over <see cref="MaxComputedElements"/>.</exception>
    internal static void CheckComputedShape(IReadOnlyList<long> dims, string node)
    {
        if (dims.Count > MaxRank)
        {
            throw new OnnxImportException($"Node {node} would make a tensor of rank {dims.Count}; at most {MaxRank} dimensions are supported.");
        }

        double count = 1;
        foreach (long dim in dims)
        {
            if (dim < 0)
            {
                throw new OnnxImportException($"Node {node} would make a tensor of shape [{string.Join(", ", dims)}], with a negative dimension.");
            }

            count *= dim;
        }

        if (count > MaxComputedElements)
        {
            throw new OnnxImportException(
                $"Node {node} would make a tensor of shape [{string.Join(", ", dims)}] ({count:0} values), over the limit of {MaxComputedElements} values " +
                "for a tensor whose shape the graph computes. The model is malformed or hostile.");
        }
    }

    /// <summary>The ONNX element type (TensorProto.DataType) as a TorchSharp type.</summary>
    /// <param name="onnxType">The ONNX type number.</param>
    /// <param name="node">The node (for the message).</param>
    /// <returns>The scalar type.</returns>
    internal static ScalarType ToScalarType(long onnxType, string node) => onnxType switch
    {
        Float => ScalarType.Float32,
        UInt8 => ScalarType.Byte,
        Int8 => ScalarType.Int8,
        Int16 => ScalarType.Int16,
        Int32 => ScalarType.Int32,
        Int64 => ScalarType.Int64,
        Bool => ScalarType.Bool,
        Float16 => ScalarType.Float16,
        Double => ScalarType.Float64,
        16 => ScalarType.BFloat16,
        _ => throw new OnnxImportException(
            $"Node {node} uses ONNX data type {onnxType}, which the importer does not support (supported: float, double, float16, bfloat16, int64, int32, int16, int8, uint8, bool)."),
    };

    /// <summary>Converts a tensor proto; reads <c>raw_data</c> when present, else the typed field.</summary>
    /// <param name="proto">The tensor.</param>
    /// <param name="context">What the tensor is (for error messages).</param>
    /// <returns>A new CPU tensor; the caller owns it.</returns>
    public static Tensor ToTensor(TensorProto proto, string context)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External || proto.ExternalData.Count > 0)
        {
            throw new OnnxImportException(
                $"{context}: tensor '{proto.Name}' stores its data in an external file, which the importer does not read. " +
                "Save the model with all tensors inside the .onnx file (e.g. onnx.save(model, path, save_as_external_data=False)).");
        }

        var dims = proto.Dims.ToArray();
        var count = CheckedCount(dims, proto.Name, context);
        var raw = proto.RawData.Span;
        var hasRaw = !proto.RawData.IsEmpty;
        if (hasRaw && !BitConverter.IsLittleEndian)
        {
            throw new OnnxImportException($"{context}: raw_data is little-endian and this machine is big-endian; not supported.");
        }

        (int elementSize, int typedCount) = proto.DataType switch
        {
            Float => (4, proto.FloatData.Count),
            Double => (8, proto.DoubleData.Count),
            Int64 => (8, proto.Int64Data.Count),
            Int32 => (4, proto.Int32Data.Count),
            Int16 or Float16 => (2, proto.Int32Data.Count),
            Int8 or UInt8 or Bool => (1, proto.Int32Data.Count),
            _ => throw new OnnxImportException(
                $"{context}: tensor '{proto.Name}' has ONNX data type {proto.DataType}, which the importer does not read " +
                "(supported: float, double, float16, int64, int32, int16, int8, uint8, bool)."),
        };

        if (hasRaw && raw.Length % elementSize != 0)
        {
            throw new OnnxImportException(
                $"{context}: tensor '{proto.Name}' has {raw.Length} bytes of raw_data, not a whole number of {elementSize}-byte values.");
        }

        long stored = hasRaw ? raw.Length / elementSize : typedCount;
        if (stored != count)
        {
            throw new OnnxImportException(
                $"{context}: tensor '{proto.Name}' has shape [{string.Join(", ", dims)}] ({count} values) but stores {stored} values.");
        }

        Tensor result;
        try
        {
            result = proto.DataType switch
            {
                Float => torch.tensor(hasRaw ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : proto.FloatData.ToArray(), dims),
                Double => torch.tensor(hasRaw ? MemoryMarshal.Cast<byte, double>(raw).ToArray() : proto.DoubleData.ToArray(), dims),
                Int64 => torch.tensor(hasRaw ? MemoryMarshal.Cast<byte, long>(raw).ToArray() : proto.Int64Data.ToArray(), dims),
                Int32 => torch.tensor(hasRaw ? MemoryMarshal.Cast<byte, int>(raw).ToArray() : proto.Int32Data.ToArray(), dims),
                Int16 => torch.tensor(hasRaw ? MemoryMarshal.Cast<byte, short>(raw).ToArray() : proto.Int32Data.Select(v => (short)v).ToArray(), dims),
                Int8 => torch.tensor(hasRaw ? MemoryMarshal.Cast<byte, sbyte>(raw).ToArray() : proto.Int32Data.Select(v => (sbyte)v).ToArray(), dims),
                UInt8 => torch.tensor(hasRaw ? raw.ToArray() : proto.Int32Data.Select(v => (byte)v).ToArray(), dims),
                Bool => torch.tensor(hasRaw ? raw.ToArray().Select(b => b != 0).ToArray() : proto.Int32Data.Select(v => v != 0).ToArray(), dims),
                _ => Half(hasRaw ? MemoryMarshal.Cast<byte, ushort>(raw).ToArray() : proto.Int32Data.Select(v => (ushort)v).ToArray(), dims),
            };
        }
        catch (Exception ex) when (ex is ArgumentException or ExternalException or InvalidOperationException)
        {
            throw new OnnxImportException($"{context}: tensor '{proto.Name}' of shape [{string.Join(", ", dims)}] could not be made: {ex.Message}", ex);
        }

        return result;
    }

    /// <summary>The number of values of a tensor of shape <paramref name="dims"/>, checked: no negative dimension, no overflow, within the limits.</summary>
    internal static long CheckedCount(IReadOnlyList<long> dims, string tensorName, string context)
    {
        if (dims.Count > MaxRank)
        {
            throw new OnnxImportException($"{context}: tensor '{tensorName}' has rank {dims.Count}; at most {MaxRank} dimensions are supported.");
        }

        long count = 1;
        foreach (long dim in dims)
        {
            if (dim < 0)
            {
                throw new OnnxImportException(
                    $"{context}: tensor '{tensorName}' has shape [{string.Join(", ", dims)}] with a negative dimension; dimensions must be 0 or more.");
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException ex)
            {
                throw new OnnxImportException(
                    $"{context}: tensor '{tensorName}' has shape [{string.Join(", ", dims)}], whose number of values overflows a 64-bit integer.", ex);
            }
        }

        if (count > MaxElements)
        {
            throw new OnnxImportException(
                $"{context}: tensor '{tensorName}' has shape [{string.Join(", ", dims)}] ({count} values), over the limit of {MaxElements} values per tensor.");
        }

        return count;
    }

    private static Tensor Half(ushort[] bits, long[] dims)
    {
        var values = bits.Select(b => (float)BitConverter.UInt16BitsToHalf(b)).ToArray();
        return torch.tensor(values, dims);
    }

    /// <summary>Reads a 1-D integer tensor (shape, pads, axes inputs) as longs.</summary>
    /// <param name="tensor">Any integer or float tensor.</param>
    /// <returns>Its values.</returns>
    public static long[] ToLongs(Tensor tensor)
    {
        using var cpu = tensor.to(ScalarType.Int64, torch.CPU);
        using var flat = cpu.flatten();
        return flat.data<long>().ToArray();
    }

    /// <summary>Reads a scalar (or one-element) tensor as a double.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <returns>Its value.</returns>
    public static double ToDouble(Tensor tensor)
    {
        using var cpu = tensor.to(ScalarType.Float64, torch.CPU);
        using var flat = cpu.flatten();
        return flat.data<double>()[0];
    }
}
