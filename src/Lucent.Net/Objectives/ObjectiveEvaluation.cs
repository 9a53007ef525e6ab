using Lucent.Net.Activations;
using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary>Evaluates objectives on plain tensors, without a model or a render.</summary>
public static class ObjectiveEvaluation
{
    /// <summary>
    /// The objective's loss on the given activations, with gradients flowing to any of them that require
    /// grad (as Lucent's tests call <c>objective(lambda layer: tensors[layer])</c>).
    /// </summary>
    /// <param name="objective">The objective.</param>
    /// <param name="activations">Activations by layer name, each laid out (batch, channels, ...); borrowed, not disposed.</param>
    /// <returns>The scalar loss; the caller owns it.</returns>
    /// <exception cref="UnknownLayerException">The objective reads a layer that is not given; the message lists those that are.</exception>
    public static Tensor Evaluate(this IObjective objective, IReadOnlyDictionary<string, Tensor> activations)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var lookup = new LayerActivations(activations);
        return objective.Compute(lookup);
    }
}
