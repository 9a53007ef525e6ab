using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;

namespace Lucent.Net.ModelZoo.Tests.Checkpoints;

/// <summary>A storage to write: raw little-endian bytes of a typed PyTorch storage.</summary>
internal sealed class FakeStorage(string key, string typeName, int elementSize, byte[] data)
{
    public string Key { get; } = key;

    public string TypeName { get; set; } = typeName;

    public int ElementSize { get; } = elementSize;

    public byte[] Data { get; set; } = data;

    /// <summary>The element count the persistent id claims (defaults to the true count).</summary>
    public long? DeclaredNumel { get; set; }

    /// <summary>The element count the legacy data section claims (defaults to the true count).</summary>
    public long? FileNumel { get; set; }

    public long TrueNumel => Data.Length / ElementSize;
}

/// <summary>A tensor to write: _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).</summary>
internal sealed record FakeTensor(string Name, string StorageKey, long Offset, long[] Size, long[] Stride);

/// <summary>
/// Writes state dicts in the byte layouts torch.save produces: the zip format (archive/data.pkl,
/// archive/data/&lt;key&gt;, archive/byteorder, archive/version) and the legacy format (magic number, protocol
/// 1001, sys info, object pickle with 6-tuple persistent ids, sorted key list, then int64 numel + bytes per storage).
/// </summary>
internal sealed class TorchCheckpointWriter
{
    public static readonly BigInteger LegacyMagic = BigInteger.Parse("01950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    private int nextKey;

    public List<FakeStorage> Storages { get; } = [];

    public List<FakeTensor> Tensors { get; } = [];

    /// <summary>Whether the top object is an OrderedDict (torch's state_dict()) or a plain dict.</summary>
    public bool UseOrderedDict { get; set; } = true;

    /// <summary>Whether to attach the _metadata attribute via BUILD, as state_dict() does.</summary>
    public bool IncludeMetadata { get; set; } = true;

    /// <summary>Written into the state dict's SETITEMS batch after the tensors: push a key and a value.</summary>
    public Action<PickleWriter>? ExtraItems { get; set; }

    /// <summary>Replaces the whole object pickle (for hostile streams).</summary>
    public byte[]? ObjectPickleOverride { get; set; }

    /// <summary>Top folder name inside the zip.</summary>
    public string ZipTop { get; set; } = "archive";

    public string? ByteOrder { get; set; } = "little";

    public FakeStorage AddStorage(string typeName, int elementSize, byte[] data)
    {
        // Legacy keys are decimal ids; sorting them as strings mimics torch.
        var storage = new FakeStorage(Storages.Count == 0 && nextKey == 0 ? "0" : (++nextKey).ToString(System.Globalization.CultureInfo.InvariantCulture), typeName, elementSize, data);
        Storages.Add(storage);
        return storage;
    }

    public FakeTensor AddTensor(string name, FakeStorage storage, long offset, long[] size, long[]? stride = null)
    {
        var tensor = new FakeTensor(name, storage.Key, offset, size, stride ?? ContiguousStride(size));
        Tensors.Add(tensor);
        return tensor;
    }

    /// <summary>Removes a tensor and, when no other tensor uses it, its storage (torch never writes unused storages).</summary>
    public void Remove(string name)
    {
        var tensor = Tensors.Single(t => t.Name == name);
        Tensors.Remove(tensor);
        if (!Tensors.Any(t => t.StorageKey == tensor.StorageKey))
        {
            Storages.RemoveAll(s => s.Key == tensor.StorageKey);
        }
    }

    public FakeTensor AddFloat32(string name, float[] values, params long[] size)
        => AddTensor(name, AddStorage("FloatStorage", 4, Float32Bytes(values)), 0, size);

    public FakeTensor AddFloat64(string name, double[] values, params long[] size)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return AddTensor(name, AddStorage("DoubleStorage", 8, bytes), 0, size);
    }

    public FakeTensor AddFloat16(string name, float[] values, params long[] size)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        return AddTensor(name, AddStorage("HalfStorage", 2, bytes), 0, size);
    }

    public FakeTensor AddBFloat16(string name, float[] values, params long[] size)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(values[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)(bits >> 16));
        }

        return AddTensor(name, AddStorage("BFloat16Storage", 2, bytes), 0, size);
    }

    public FakeTensor AddInt64(string name, long[] values, params long[] size)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return AddTensor(name, AddStorage("LongStorage", 8, bytes), 0, size);
    }

    public static byte[] Float32Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static long[] ContiguousStride(long[] size)
    {
        var stride = new long[size.Length];
        long s = 1;
        for (int i = size.Length - 1; i >= 0; i--)
        {
            stride[i] = s;
            s *= Math.Max(size[i], 1);
        }

        return stride;
    }

    /// <summary>The object pickle of the state dict, as torch.save's pickler writes it.</summary>
    public byte[] ObjectPickle(bool legacy)
    {
        if (ObjectPickleOverride is not null)
        {
            return ObjectPickleOverride;
        }

        var w = new PickleWriter().Proto(2);
        if (UseOrderedDict)
        {
            w.Global("collections", "OrderedDict").EmptyTuple().Reduce().Put();
        }
        else
        {
            w.EmptyDict().Put();
        }

        w.Mark();
        foreach (var tensor in Tensors)
        {
            var storage = Storages.Single(s => s.Key == tensor.StorageKey);
            w.Str(tensor.Name);
            w.Global("torch._utils", "_rebuild_tensor_v2");
            w.Mark();
            // Persistent id: ('storage', torch.<Type>Storage, key, 'cpu', numel[, None])
            w.Mark().Str("storage").Global("torch", storage.TypeName).Str(storage.Key).Str("cpu").Int(storage.DeclaredNumel ?? storage.TrueNumel);
            if (legacy)
            {
                w.None();
            }

            w.Tuple().Put().BinPersId();
            w.Int(tensor.Offset).IntTuple(tensor.Size).IntTuple(tensor.Stride).Bool(false);
            w.Global("collections", "OrderedDict").EmptyTuple().Reduce().Put();
            w.Tuple().Put().Reduce().Put($"tensor:{tensor.Name}");
        }

        ExtraItems?.Invoke(w);
        w.SetItems();
        if (IncludeMetadata)
        {
            // state = {'_metadata': OrderedDict([('', {'version': 1})])}
            w.EmptyDict().Put().Str("_metadata").Global("collections", "OrderedDict").EmptyTuple().Reduce().Put();
            w.Str(string.Empty).EmptyDict().Put().Str("version").Int(1).SetItem().SetItem();
            w.SetItem().Build();
        }

        return w.Stop().ToArray();
    }

    public byte[] Zip()
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, byte[] bytes)
            {
                var entry = archive.CreateEntry(name, CompressionLevel.NoCompression);
                using var s = entry.Open();
                s.Write(bytes);
            }

            Add($"{ZipTop}/data.pkl", ObjectPickle(legacy: false));
            if (ByteOrder is not null)
            {
                Add($"{ZipTop}/byteorder", Encoding.ASCII.GetBytes(ByteOrder));
            }

            foreach (var storage in Storages)
            {
                Add($"{ZipTop}/data/{storage.Key}", storage.Data);
            }

            Add($"{ZipTop}/version", Encoding.ASCII.GetBytes("3\n"));
            Add($"{ZipTop}/.data/serialization_id", Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890"));
        }

        return output.ToArray();
    }

    public byte[] Legacy()
    {
        using var output = new MemoryStream();
        output.Write(new PickleWriter().Proto(2).Long(LegacyMagic).Stop().ToArray());
        output.Write(new PickleWriter().Proto(2).Int(1001).Stop().ToArray());
        var info = new PickleWriter().Proto(2).EmptyDict().Put().Mark()
            .Str("protocol_version").Int(1001)
            .Str("little_endian").Bool(true)
            .Str("type_sizes").EmptyDict().Put().Mark().Str("short").Int(2).Str("int").Int(4).Str("long").Int(4).SetItems()
            .SetItems().Stop();
        output.Write(info.ToArray());
        output.Write(ObjectPickle(legacy: true));

        var keys = Storages.Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
        var list = new PickleWriter().Proto(2).EmptyList().Put().Mark();
        foreach (string key in keys)
        {
            list.Str(key);
        }

        output.Write(list.Appends().Stop().ToArray());
        Span<byte> numel = stackalloc byte[8];
        foreach (string key in keys)
        {
            var storage = Storages.Single(s => s.Key == key);
            BinaryPrimitives.WriteInt64LittleEndian(numel, storage.FileNumel ?? storage.DeclaredNumel ?? storage.TrueNumel);
            output.Write(numel);
            output.Write(storage.Data);
        }

        return output.ToArray();
    }

    public byte[] Write(CheckpointFormat format) => format == CheckpointFormat.Zip ? Zip() : Legacy();
}

public enum CheckpointFormat
{
    Zip,
    Legacy,
}
