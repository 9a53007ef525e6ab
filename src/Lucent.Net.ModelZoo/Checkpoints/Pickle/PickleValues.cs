using System.Numerics;
using TorchSharp;

namespace Lucent.Net.ModelZoo.Checkpoints.Pickle;

/// <summary>A Python tuple.</summary>
internal sealed class PyTuple(object?[] items)
{
    public object?[] Items { get; } = items;

    public static PyTuple Empty { get; } = new([]);
}

/// <summary>A Python list.</summary>
internal sealed class PyList
{
    public List<object?> Items { get; } = [];
}

/// <summary>
/// A Python dict or collections.OrderedDict, keeping insertion order. Keys must be strings: every dict that
/// <c>torch.save</c> writes for a state dict (the state dict itself, <c>_metadata</c>, the legacy system info)
/// has string keys. Any other key is refused the moment it is set, so no hostile key can make hashing slow
/// (integers such as <c>(i &lt;&lt; 32) | i</c> all share one .NET hash code) or recurse into containers;
/// string hashing is randomised by .NET once collisions pile up.
/// </summary>
internal sealed class PyDict(bool isOrderedDict)
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<object?, object?>> _entries = [];

    public bool IsOrderedDict { get; } = isOrderedDict;

    /// <summary>The instance attributes set by BUILD (PyTorch attaches <c>_metadata</c> here), or null.</summary>
    public PyDict? Attributes { get; set; }

    public int Count => _entries.Count;

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    public void Set(object? key, object? value)
    {
        if (key is not string name)
        {
            throw new CheckpointFormatException(
                $"The pickle uses a dictionary key {PickleText.Describe(key)}; keys must be strings (every dict in a state dict, "
                + "its _metadata and the legacy header has string keys). Save model.state_dict() with torch.save.");
        }

        if (_index.TryGetValue(name, out int position))
        {
            _entries[position] = new KeyValuePair<object?, object?>(name, value);
        }
        else
        {
            _index.Add(name, _entries.Count);
            _entries.Add(new KeyValuePair<object?, object?>(name, value));
        }
    }
}

/// <summary>What a Python global accepted by the reader stands for.</summary>
internal enum GlobalKind
{
    OrderedDict,
    RebuildTensorV2,
    RebuildTensor,
    RebuildParameter,
    RebuildParameterWithState,
    TorchSize,
    StorageType,
    DType,
}

/// <summary>An accepted Python global such as <c>torch._utils._rebuild_tensor_v2</c>.</summary>
internal sealed record PyGlobal(string Module, string Name, GlobalKind Kind, StorageElementType? ElementType = null)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>The element type of a PyTorch storage: its scalar type and size in bytes.</summary>
internal sealed record StorageElementType(string StorageName, torch.ScalarType ScalarType, int Size, string PythonDType)
{
    public bool IsFloatingPoint => ScalarType is torch.ScalarType.Float32 or torch.ScalarType.Float64
        or torch.ScalarType.Float16 or torch.ScalarType.BFloat16;
}

/// <summary>A storage named by a persistent id; its bytes are read after the object pickle.</summary>
internal sealed class StorageRef(string key, StorageElementType elementType, long numel, string location)
{
    public string Key { get; } = key;

    public StorageElementType ElementType { get; } = elementType;

    /// <summary>Number of elements as declared by the persistent id.</summary>
    public long Numel { get; } = numel;

    public string Location { get; } = location;

    /// <summary>The raw little-endian bytes, once read.</summary>
    public byte[]? Data { get; set; }
}

/// <summary>A storage as seen by a tensor: a whole storage or (legacy format) an element range of one.</summary>
internal sealed record StorageSlice(StorageRef Root, long ElementOffset, long Numel);

/// <summary>A tensor to be rebuilt: <c>_rebuild_tensor_v2(storage, offset, size, stride, ...)</c>.</summary>
internal sealed record TensorSpec(StorageSlice Storage, long Offset, long[] Size, long[] Stride);

/// <summary>Helpers for error messages.</summary>
internal static class PickleText
{
    public static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"str '{Truncate(s)}'",
        long l => $"int {l}",
        BigInteger b => $"int {b}",
        bool b => b ? "True" : "False",
        double d => $"float {d}",
        byte[] => "bytes",
        PyTuple t => $"tuple of {t.Items.Length}",
        PyList => "list",
        PyDict d => d.IsOrderedDict ? "OrderedDict" : "dict",
        PyGlobal g => g.FullName,
        TensorSpec => "tensor",
        StorageSlice => "storage",
        _ => value.GetType().Name,
    };

    public static string Truncate(string s) => s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 77), "...");
}
