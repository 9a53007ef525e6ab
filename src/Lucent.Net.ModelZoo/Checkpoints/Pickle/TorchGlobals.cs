using System.Collections.Frozen;
using TorchSharp;

namespace Lucent.Net.ModelZoo.Checkpoints.Pickle;

/// <summary>The allow-list of Python globals a PyTorch state dict needs; every other global is refused.</summary>
internal static class TorchGlobals
{
    private static readonly StorageElementType[] ElementTypes =
    [
        new("FloatStorage", torch.ScalarType.Float32, 4, "float32"),
        new("DoubleStorage", torch.ScalarType.Float64, 8, "float64"),
        new("HalfStorage", torch.ScalarType.Float16, 2, "float16"),
        new("BFloat16Storage", torch.ScalarType.BFloat16, 2, "bfloat16"),
        new("LongStorage", torch.ScalarType.Int64, 8, "int64"),
        new("IntStorage", torch.ScalarType.Int32, 4, "int32"),
        new("ShortStorage", torch.ScalarType.Int16, 2, "int16"),
        new("CharStorage", torch.ScalarType.Int8, 1, "int8"),
        new("ByteStorage", torch.ScalarType.Byte, 1, "uint8"),
        new("BoolStorage", torch.ScalarType.Bool, 1, "bool"),
    ];

    private static readonly StorageElementType UntypedElementType = new("UntypedStorage", torch.ScalarType.Byte, 1, "uint8");

    private static readonly FrozenDictionary<string, PyGlobal> Allowed = Build();

    /// <summary>A one-line list of the accepted globals, for error messages.</summary>
    public const string AllowedSummary =
        "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_tensor, torch._utils._rebuild_parameter, "
        + "torch._utils._rebuild_parameter_with_state, torch.Size, torch.<Type>Storage, torch.UntypedStorage, torch.storage.TypedStorage "
        + "and torch dtypes such as torch.float32";

    public static PyGlobal Resolve(string module, string name)
    {
        if (Allowed.TryGetValue(module + "\n" + name, out var global))
        {
            return global;
        }

        string full = PickleText.Truncate($"{module}.{name}");
        throw new CheckpointFormatException(
            $"The checkpoint refers to the Python global '{full}', which this reader refuses: unpickling arbitrary globals can run code "
            + $"(that is how malicious .pth files work), so only the globals a PyTorch state dict needs are accepted ({AllowedSummary}). "
            + "If this file is a whole pickled model rather than a state dict, load it in Python and save model.state_dict() instead.")
        {
            RefusedGlobal = full,
        };
    }

    private static FrozenDictionary<string, PyGlobal> Build()
    {
        var map = new Dictionary<string, PyGlobal>(StringComparer.Ordinal);
        void Add(string module, string name, GlobalKind kind, StorageElementType? type = null)
            => map[module + "\n" + name] = new PyGlobal(module, name, kind, type);

        Add("collections", "OrderedDict", GlobalKind.OrderedDict);
        Add("torch._utils", "_rebuild_tensor_v2", GlobalKind.RebuildTensorV2);
        Add("torch._utils", "_rebuild_tensor", GlobalKind.RebuildTensor);
        Add("torch._utils", "_rebuild_parameter", GlobalKind.RebuildParameter);
        Add("torch._utils", "_rebuild_parameter_with_state", GlobalKind.RebuildParameterWithState);
        Add("torch", "Size", GlobalKind.TorchSize);
        foreach (var type in ElementTypes)
        {
            Add("torch", type.StorageName, GlobalKind.StorageType, type);
            Add("torch.storage", type.StorageName, GlobalKind.StorageType, type);
        }

        Add("torch", "UntypedStorage", GlobalKind.StorageType, UntypedElementType);
        Add("torch.storage", "UntypedStorage", GlobalKind.StorageType, UntypedElementType);
        Add("torch.storage", "TypedStorage", GlobalKind.StorageType, UntypedElementType);

        foreach (var (names, type) in new (string[] Names, StorageElementType Type)[]
        {
            (["float32", "float"], ElementTypes[0]),
            (["float64", "double"], ElementTypes[1]),
            (["float16", "half"], ElementTypes[2]),
            (["bfloat16"], ElementTypes[3]),
            (["int64", "long"], ElementTypes[4]),
            (["int32", "int"], ElementTypes[5]),
            (["int16", "short"], ElementTypes[6]),
            (["int8"], ElementTypes[7]),
            (["uint8"], ElementTypes[8]),
            (["bool"], ElementTypes[9]),
        })
        {
            foreach (string name in names)
            {
                Add("torch", name, GlobalKind.DType, type);
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
