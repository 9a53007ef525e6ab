using Lucent.Net.Activations;
using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary>Helpers for objectives that read an <see cref="IActivationLookup"/>.</summary>
public static class ActivationLookupExtensions
{
    /// <summary>
    /// A lookup that returns only batch element <paramref name="batch"/> of every layer, keeping the
    /// batch axis (size 1), as Lucent's <c>batch=</c> argument does (<c>T(layer)[batch:batch+1]</c>).
    /// Every built-in objective with a <c>batch</c> parameter reads its layers through this.
    /// </summary>
    /// <param name="activations">The full lookup.</param>
    /// <param name="batch">The batch element, from 0.</param>
    /// <returns>
    /// A lookup whose tensors are views of the full activations. Each view is a new tensor that is
    /// registered with the current dispose scope (create it inside one, e.g. in
    /// <see cref="IObjective.Compute"/> of an <see cref="Objective"/>).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ObjectiveArgumentException">
    /// Raised by the returned lookup when <paramref name="batch"/> is not below a layer's batch size.
    /// </exception>
    public static IActivationLookup ForBatch(this IActivationLookup activations, int batch)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        return new BatchLookup(activations, batch);
    }

    private sealed class BatchLookup(IActivationLookup inner, int batch) : IActivationLookup, IClassLabels
    {
        public ClassLabels? ClassLabels => (inner as IClassLabels)?.ClassLabels;

        public Tensor this[string layer]
        {
            get
            {
                Tensor full = inner[layer];
                ActivationChecks.RequireBatch(full, layer, batch);
                return full.narrow(0, batch, 1);
            }
        }
    }
}
