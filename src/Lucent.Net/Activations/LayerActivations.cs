using static TorchSharp.torch;

namespace Lucent.Net.Activations;

/// <summary>
/// Named layer activations held as plain tensors: what <c>ActivationCapture.Capture</c> returns, and the
/// quickest way to evaluate an objective on tensors of your own (Lucent's tests build such a dictionary
/// by hand), gradients included.
/// </summary>
/// <remarks>
/// Built from your tensors, the set only borrows them (disposing it leaves them alone); built by a
/// capture, it owns its tensors and disposing it frees them.
/// </remarks>
public sealed class LayerActivations : IActivationLookup, IClassLabels, IDisposable
{
    private readonly Dictionary<string, Tensor> _layers;
    private readonly bool _owned;
    private bool _disposed;

    /// <summary>Borrows <paramref name="layers"/> (not disposed with this set).</summary>
    /// <param name="layers">Activations by layer name, each laid out (batch, channels, ...).</param>
    /// <param name="classLabels">Class names for objectives that name a class (<c>labels:tabby</c>), or null.</param>
    /// <exception cref="ArgumentException">A name is empty or a tensor is null.</exception>
    public LayerActivations(IReadOnlyDictionary<string, Tensor> layers, ClassLabels? classLabels = null)
        : this(Copy(layers), classLabels, owned: false)
    {
    }

    internal LayerActivations(Dictionary<string, Tensor> layers, ClassLabels? classLabels, bool owned)
    {
        _layers = layers;
        _owned = owned;
        ClassLabels = classLabels;
    }

    /// <summary>The layer names held, in the order given (a capture: the order asked for).</summary>
    public IReadOnlyCollection<string> Layers => _layers.Keys;

    /// <inheritdoc />
    public ClassLabels? ClassLabels { get; }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The set owns its tensors and was disposed.</exception>
    public Tensor this[string layer]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(layer);
            ObjectDisposedException.ThrowIf(_disposed && _owned, this);
            return _layers.TryGetValue(layer, out var tensor) ? tensor : throw new UnknownLayerException(layer, _layers.Keys);
        }
    }

    /// <summary>Whether <paramref name="layer"/> is held.</summary>
    /// <param name="layer">A layer name.</param>
    /// <returns>True when the set has the layer.</returns>
    public bool Contains(string layer) => _layers.ContainsKey(layer);

    /// <summary>Frees the tensors when the set owns them (a capture's result); otherwise does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_owned)
        {
            foreach (var tensor in _layers.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static Dictionary<string, Tensor> Copy(IReadOnlyDictionary<string, Tensor> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var copy = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in layers)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A layer name is empty; name every activation tensor after its layer (e.g. \"mixed4a\").", nameof(layers));
            }

            copy[name] = tensor ?? throw new ArgumentException($"The activation tensor of layer '{name}' is null.", nameof(layers));
        }

        return copy;
    }
}
