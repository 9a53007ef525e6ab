using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>Passes an objective through and keeps the value of its loss at every call (one call per render step).</summary>
/// <param name="inner">The objective.</param>
internal sealed class LossRecordingObjective(IObjective inner) : IObjective
{
    private readonly List<double> _values = [];

    /// <summary>The objective passed through (computing it records nothing: the micro-batch measurement uses it).</summary>
    public IObjective Inner => inner;

    /// <summary>The loss at each call so far.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public string Description => inner.Description;

    /// <inheritdoc />
    public IReadOnlyCollection<string> Layers => inner.Layers;

    /// <inheritdoc />
    public Tensor Compute(IActivationLookup activations)
    {
        var loss = inner.Compute(activations);
        using var detached = loss.detach();
        _values.Add(detached.numel() == 1 ? detached.ToDouble() : double.NaN);
        return loss;
    }
}
