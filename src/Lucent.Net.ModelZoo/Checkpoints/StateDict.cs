using System.Collections;
using System.Diagnostics.CodeAnalysis;
using TorchSharp;

namespace Lucent.Net.ModelZoo.Checkpoints;

/// <summary>
/// An ordered map from parameter names (such as <c>conv.weight</c>) to tensors, as read from a PyTorch
/// checkpoint. The order is the order of the file. This object owns its tensors: disposing it disposes them.
/// As with <c>torch.load</c>, each tensor views its storage: entries that share a storage in the file share its
/// memory (use <c>clone()</c> for an independent copy).
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, torch.Tensor>, IDisposable
{
    private readonly List<KeyValuePair<string, torch.Tensor>> _entries;
    private readonly Dictionary<string, torch.Tensor> _byName;
    private bool _disposed;

    internal StateDict(List<KeyValuePair<string, torch.Tensor>> entries)
    {
        this._entries = entries;
        _byName = new Dictionary<string, torch.Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            _byName.Add(key, value);
        }
    }

    /// <summary>The number of tensors.</summary>
    public int Count => _entries.Count;

    /// <summary>The names in file order.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <summary>The tensors in file order.</summary>
    public IEnumerable<torch.Tensor> Values => _entries.Select(e => e.Value);

    /// <summary>The tensor called <paramref name="key"/>.</summary>
    /// <param name="key">A parameter name.</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public torch.Tensor this[string key] => _byName.TryGetValue(key, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"The state dict has no tensor called '{key}'. It has {Count}: {string.Join(", ", Keys.Take(20))}{(Count > 20 ? ", ..." : string.Empty)}.");

    /// <summary>Whether a tensor called <paramref name="key"/> exists.</summary>
    /// <param name="key">A parameter name.</param>
    /// <returns>True when it exists.</returns>
    public bool ContainsKey(string key) => _byName.ContainsKey(key);

    /// <summary>Looks up a tensor by name.</summary>
    /// <param name="key">A parameter name.</param>
    /// <param name="value">The tensor, when found.</param>
    /// <returns>True when found.</returns>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out torch.Tensor value) => _byName.TryGetValue(key, out value);

    /// <summary>Enumerates the entries in file order.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<KeyValuePair<string, torch.Tensor>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (_, tensor) in _entries)
        {
            tensor.Dispose();
        }
    }
}
