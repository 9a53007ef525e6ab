using TorchSharp;

namespace Lucent.Net.ModelZoo.Checkpoints;

/// <summary>What <see cref="StateDictLoader.Load"/> did not load in non-strict mode.</summary>
/// <param name="MissingKeys">Module parameters and buffers the state dict lacked (left unchanged).</param>
/// <param name="UnexpectedKeys">State dict entries the module lacks (ignored).</param>
public sealed record StateDictLoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

/// <summary>Copies a state dict into a TorchSharp module's parameters and buffers.</summary>
public static class StateDictLoader
{
    /// <summary>
    /// Copies every tensor of <paramref name="stateDict"/> into the parameter or buffer of
    /// <paramref name="module"/> with the same name, without recording gradients. Values are converted to
    /// the target's type and device. All checks run before anything is copied, so a mismatch leaves the
    /// module unchanged.
    /// </summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="stateDict">Tensors by name (for example from <see cref="PyTorchCheckpoint.ReadStateDict(string, CheckpointReadOptions?)"/>); not modified or disposed.</param>
    /// <param name="strict">When true (the default), any missing or unexpected key is an error; when false they are reported in the result.</param>
    /// <returns>The keys that were missing or unexpected (both empty in strict mode).</returns>
    /// <exception cref="StateDictMismatchException">Keys differ (strict mode) or any shape differs; the message lists them all.</exception>
    public static StateDictLoadResult Load(torch.nn.Module module, IReadOnlyDictionary<string, torch.Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);

        var targets = module.state_dict();
        var missing = targets.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !targets.ContainsKey(k)).ToList();
        var shapes = new List<TensorShapeMismatch>();
        foreach (var (key, target) in targets)
        {
            if (stateDict.TryGetValue(key, out var source) && !target.shape.SequenceEqual(source.shape))
            {
                shapes.Add(new TensorShapeMismatch(key, target.shape, source.shape));
            }
        }

        if (shapes.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            throw new StateDictMismatchException(missing, unexpected, shapes);
        }

        // The scope releases any handle copy_ may return; the module's own tensors are not in it.
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            foreach (var (key, target) in targets)
            {
                if (stateDict.TryGetValue(key, out var source))
                {
                    target.copy_(source);
                }
            }
        }

        return new StateDictLoadResult(missing, unexpected);
    }
}
