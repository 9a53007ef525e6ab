using Lucent.Net.Activations;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// The activations of a slice of a batch (images <c>start .. start + n - 1</c>), shown to an objective at
/// their positions in the whole batch: the other positions are zeros, so an objective that reads its own
/// batch element (e.g. <c>Channel(layer, c, batch: i)</c>) gets the value and gradient it would get from
/// the whole batch.
/// </summary>
/// <remarks>The placed tensors are made outside any dispose scope (an objective's own scope would free them
/// before the next objective reads them) and freed by <see cref="Dispose"/>.</remarks>
internal sealed class BatchSliceLookup(IActivationLookup slice, long start, long batch) : IActivationLookup, IClassLabels, IDisposable
{
    /// <inheritdoc />
    public ClassLabels? ClassLabels => (slice as IClassLabels)?.ClassLabels;

    private readonly Dictionary<string, Tensor> _placed = new(StringComparer.Ordinal);
    private readonly List<Tensor> _owned = [];

    /// <inheritdoc />
    public Tensor this[string layer]
    {
        get
        {
            if (_placed.TryGetValue(layer, out var known))
            {
                return known;
            }

            var part = slice[layer];
            long count = part.shape[0];
            var pieces = new List<Tensor>(3);
            if (start > 0)
            {
                pieces.Add(zeros([start, .. part.shape[1..]], dtype: part.dtype, device: part.device));
            }

            pieces.Add(part);
            long after = batch - start - count;
            if (after > 0)
            {
                pieces.Add(zeros([after, .. part.shape[1..]], dtype: part.dtype, device: part.device));
            }

            if (pieces.Count == 1)
            {
                _placed[layer] = part;
                return part;
            }

            var full = cat(pieces, 0).DetachFromDisposeScope();
            foreach (var zero in pieces.Where(p => !ReferenceEquals(p, part)))
            {
                zero.Dispose();
            }

            _placed[layer] = full;
            _owned.Add(full);
            return full;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _owned)
        {
            tensor.Dispose();
        }

        _owned.Clear();
        _placed.Clear();
    }
}
