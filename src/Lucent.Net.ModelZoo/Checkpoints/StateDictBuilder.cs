using Lucent.Net.ModelZoo.Checkpoints.Pickle;
using TorchSharp;

namespace Lucent.Net.ModelZoo.Checkpoints;

/// <summary>Turns the unpickled description of a state dict into tensors, checking every number first.</summary>
internal static class StateDictBuilder
{
    /// <summary>Most entries a state dict may have (real ones have hundreds to a few thousand); each entry costs a tensor header (about 600 bytes) even when it only views a shared storage.</summary>
    public const int MaxTensors = 1 << 16;

    /// <summary>Checks that <paramref name="root"/> is a dict of name -> tensor and that every tensor fits its storage.</summary>
    public static List<KeyValuePair<string, TensorSpec>> Collect(object? root)
    {
        if (root is not PyDict dict)
        {
            throw new CheckpointFormatException(
                $"The checkpoint holds {PickleText.Describe(root)}, not a state dict (a dict of name -> tensor). Save model.state_dict() with torch.save.");
        }

        if (dict.Count > MaxTensors)
        {
            throw new CheckpointFormatException(
                $"The state dict has {dict.Count} entries; at most {MaxTensors} are supported (each costs a tensor even when many view one storage).");
        }

        var result = new List<KeyValuePair<string, TensorSpec>>(dict.Count);
        foreach (var (key, value) in dict.Entries)
        {
            if (key is not string name)
            {
                throw new CheckpointFormatException($"The state dict has a key {PickleText.Describe(key)}; keys must be strings.");
            }

            if (value is not TensorSpec spec)
            {
                throw new CheckpointFormatException(
                    $"The state dict's entry '{PickleText.Truncate(name)}' is {PickleText.Describe(value)}, not a tensor. "
                    + "If this is a training checkpoint (with 'epoch', 'optimizer', ...), save only model.state_dict() in Python.");
            }

            CheckGeometry(name, spec);
            result.Add(new KeyValuePair<string, TensorSpec>(name, spec));
        }

        return result;
    }

    /// <summary>Each storage used by <paramref name="specs"/>, once, in first-use order.</summary>
    public static IEnumerable<StorageRef> ReferencedStorages(IEnumerable<KeyValuePair<string, TensorSpec>> specs)
        => specs.Select(s => s.Value.Storage.Root).Distinct();

    /// <summary>Bytes a storage occupies, or an exception when that overflows.</summary>
    public static long ByteLength(StorageRef storage)
    {
        try
        {
            return checked(storage.Numel * storage.ElementType.Size);
        }
        catch (OverflowException e)
        {
            throw new CheckpointFormatException($"Storage '{storage.Key}' declares an impossible size of {storage.Numel} elements.", e);
        }
    }

    /// <summary>Makes the tensors. The caller owns the result.</summary>
    public static StateDict Build(List<KeyValuePair<string, TensorSpec>> specs, CheckpointReadOptions options, bool bigEndian)
    {
        foreach (var storage in ReferencedStorages(specs))
        {
            if (storage.Data is null || storage.Data.LongLength != ByteLength(storage))
            {
                throw new CheckpointFormatException($"The checkpoint has no data for storage '{storage.Key}' (corrupted data).");
            }
        }

        // As torch.load does: every tensor is a view of its storage, so entries that share a storage share its
        // memory. Each storage is materialised once (and converted to float32 once), so the output holds at most
        // the storage bytes of the file (twice that for float16/bfloat16 converted to float32), however many
        // entries (or memoized copies of one entry) view it.
        using var scope = torch.NewDisposeScope();
        var storageTensors = new Dictionary<StorageRef, torch.Tensor>();
        var entries = new List<KeyValuePair<string, torch.Tensor>>(specs.Count);
        foreach (var (name, spec) in specs)
        {
            var root = spec.Storage.Root;
            if (!storageTensors.TryGetValue(root, out var storageTensor))
            {
                storageTensor = MakeStorageTensor(root, bigEndian);
                bool convert = !options.KeepOriginalDType && root.ElementType.IsFloatingPoint && root.ElementType.ScalarType != torch.ScalarType.Float32;
                if (convert)
                {
                    storageTensor = storageTensor.to_type(torch.ScalarType.Float32, copy: true);
                }

                storageTensors.Add(root, storageTensor);
            }

            var tensor = storageTensor.as_strided(spec.Size, spec.Stride, spec.Storage.ElementOffset + spec.Offset);
            entries.Add(new KeyValuePair<string, torch.Tensor>(name, tensor));
        }

        foreach (var (_, tensor) in entries)
        {
            scope.MoveToOuter(tensor);
        }

        return new StateDict(entries);
    }

    private static torch.Tensor MakeStorageTensor(StorageRef storage, bool bigEndian)
    {
        var type = storage.ElementType;
        var tensor = torch.empty(storage.Numel, type.ScalarType);
        if (storage.Numel == 0)
        {
            return tensor;
        }

        byte[] data = storage.Data!;
        if (bigEndian && type.Size > 1)
        {
            for (int i = 0; i < data.Length; i += type.Size)
            {
                data.AsSpan(i, type.Size).Reverse();
            }
        }

        if (type.ScalarType == torch.ScalarType.Bool)
        {
            // Only 0 and 1 are valid bools; normalise so that a corrupted byte cannot make an invalid value.
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = data[i] == 0 ? (byte)0 : (byte)1;
            }
        }

        tensor.bytes = data;
        storage.Data = null;
        return tensor;
    }

    private static void CheckGeometry(string name, TensorSpec spec)
    {
        var slice = spec.Storage;
        try
        {
            long numel = 1;
            long lastIndex = spec.Offset;
            for (int i = 0; i < spec.Size.Length; i++)
            {
                numel = checked(numel * spec.Size[i]);
            }

            if (numel == 0)
            {
                if (spec.Offset > slice.Numel)
                {
                    throw Geometry(name, spec, "its offset lies beyond its storage");
                }

                return;
            }

            for (int i = 0; i < spec.Size.Length; i++)
            {
                lastIndex = checked(lastIndex + checked((spec.Size[i] - 1) * spec.Stride[i]));
            }

            if (lastIndex >= slice.Numel)
            {
                throw Geometry(name, spec, $"it reaches element {lastIndex} of a storage of {slice.Numel} elements");
            }

            if (numel > slice.Numel)
            {
                throw Geometry(name, spec, $"it has {numel} elements, more than its storage of {slice.Numel} (overlapping or broadcast strides are not supported)");
            }
        }
        catch (OverflowException e)
        {
            throw new CheckpointFormatException(Geometry(name, spec, "its size or stride overflows").Message, e);
        }
    }

    private static CheckpointFormatException Geometry(string name, TensorSpec spec, string problem)
        => new($"Tensor '{PickleText.Truncate(name)}' (size [{string.Join(", ", spec.Size)}], stride [{string.Join(", ", spec.Stride)}], offset {spec.Offset}) "
            + $"does not fit its storage: {problem} (corrupted data).");
}
