namespace Lucent.Net.ModelZoo.Checkpoints.Pickle;

/// <summary>
/// What REDUCE, NEWOBJ and BUILD do for the accepted globals. Nothing here runs code from the file: each
/// accepted callable is mapped to a fixed, inert C# constructor of a description value.
/// </summary>
internal static class TorchReducers
{
    /// <summary>Most dimensions a tensor may have.</summary>
    public const int MaxRank = 64;

    public static object? Call(object? callable, object? args)
    {
        if (callable is not PyGlobal global)
        {
            throw new CheckpointFormatException($"REDUCE expects a callable global but found {PickleText.Describe(callable)}.");
        }

        if (args is not PyTuple tuple)
        {
            throw new CheckpointFormatException($"REDUCE for {global.FullName} expects a tuple of arguments but found {PickleText.Describe(args)}.");
        }

        object?[] a = tuple.Items;
        switch (global.Kind)
        {
            case GlobalKind.OrderedDict:
                ExpectCount(global, a, 0, 0);
                return new PyDict(isOrderedDict: true);
            case GlobalKind.RebuildTensorV2:
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                ExpectCount(global, a, 6, 7);
                return RebuildTensor(global, a);
            case GlobalKind.RebuildTensor:
                // (storage, storage_offset, size, stride)
                ExpectCount(global, a, 4, 4);
                return RebuildTensor(global, a);
            case GlobalKind.RebuildParameter:
                // (data, requires_grad, backward_hooks)
                ExpectCount(global, a, 3, 3);
                return AsTensor(global, a[0]);
            case GlobalKind.RebuildParameterWithState:
                // (data, requires_grad, backward_hooks, state)
                ExpectCount(global, a, 4, 4);
                return AsTensor(global, a[0]);
            case GlobalKind.TorchSize:
                ExpectCount(global, a, 1, 1);
                return a[0] as PyTuple ?? throw new CheckpointFormatException($"torch.Size expects a tuple but found {PickleText.Describe(a[0])}.");
            case GlobalKind.StorageType:
            case GlobalKind.DType:
            default:
                throw new CheckpointFormatException(
                    $"The pickle calls {global.FullName}, which this reader accepts only as a value (in a storage id), not as a call.");
        }
    }

    public static object? NewObject(object? cls, object? args)
    {
        if (cls is PyGlobal { Kind: GlobalKind.OrderedDict })
        {
            return Call(cls, args);
        }

        throw new CheckpointFormatException($"NEWOBJ is supported only for collections.OrderedDict, not for {PickleText.Describe(cls)}.");
    }

    public static void Build(object? target, object? state)
    {
        switch (target)
        {
            case PyDict dict:
                // OrderedDict.__reduce__ passes the instance __dict__ (PyTorch's state dicts carry '_metadata').
                // Python may also pass (dict_state, slot_state).
                if (state is PyDict attributes)
                {
                    dict.Attributes = attributes;
                }
                else if (state is PyTuple { Items.Length: 2 } pair && pair.Items[0] is PyDict or null && pair.Items[1] is PyDict or null)
                {
                    dict.Attributes = pair.Items[0] as PyDict;
                }
                else if (state is not null)
                {
                    throw new CheckpointFormatException($"BUILD on a dict with state {PickleText.Describe(state)} is not supported.");
                }

                break;
            case TensorSpec:
                // Tensor attributes (for example from _rebuild_parameter_with_state) do not change the values.
                break;
            default:
                throw new CheckpointFormatException($"BUILD on {PickleText.Describe(target)} is not supported by this reader.");
        }
    }

    private static void ExpectCount(PyGlobal global, object?[] args, int min, int max)
    {
        if (args.Length < min || args.Length > max)
        {
            string expected = min == max ? $"{min}" : $"{min} to {max}";
            throw new CheckpointFormatException($"{global.FullName} expects {expected} arguments but the pickle passes {args.Length}.");
        }
    }

    private static TensorSpec AsTensor(PyGlobal global, object? value) => value as TensorSpec
        ?? throw new CheckpointFormatException($"{global.FullName} expects a tensor but found {PickleText.Describe(value)}.");

    private static TensorSpec RebuildTensor(PyGlobal global, object?[] a)
    {
        if (a[0] is not StorageSlice storage)
        {
            throw new CheckpointFormatException($"{global.FullName} expects a storage as its first argument but found {PickleText.Describe(a[0])}.");
        }

        long offset = AsNonNegative(global, "storage offset", a[1]);
        long[] size = AsShape(global, "size", a[2]);
        long[] stride = AsShape(global, "stride", a[3]);
        if (size.Length != stride.Length)
        {
            throw new CheckpointFormatException(
                $"{global.FullName} got a size of {size.Length} dimensions but a stride of {stride.Length} (corrupted data).");
        }

        return new TensorSpec(storage, offset, size, stride);
    }

    private static long AsNonNegative(PyGlobal global, string what, object? value)
    {
        if (value is long n && n >= 0)
        {
            return n;
        }

        throw new CheckpointFormatException($"{global.FullName} got {PickleText.Describe(value)} as its {what}; a non-negative int64 is required.");
    }

    private static long[] AsShape(PyGlobal global, string what, object? value)
    {
        if (value is not PyTuple tuple)
        {
            throw new CheckpointFormatException($"{global.FullName} expects a tuple as its {what} but found {PickleText.Describe(value)}.");
        }

        if (tuple.Items.Length > MaxRank)
        {
            throw new CheckpointFormatException($"{global.FullName} got a {what} of {tuple.Items.Length} dimensions; at most {MaxRank} are supported.");
        }

        var result = new long[tuple.Items.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = AsNonNegative(global, $"{what}[{i}]", tuple.Items[i]);
        }

        return result;
    }
}
