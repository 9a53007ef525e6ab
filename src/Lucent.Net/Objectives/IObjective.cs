using Lucent.Net.Activations;
using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary>
/// A scalar loss computed from layer activations; the renderer minimises it. Implement this to
/// plug in an objective, or derive from <c>Objective</c> to get the algebra.
/// </summary>
public interface IObjective
{
    /// <summary>A short name, e.g. <c>channel(mixed4a, 5)</c>.</summary>
    string Name { get; }

    /// <summary>A sentence saying what the objective does.</summary>
    string Description { get; }

    /// <summary>
    /// The layers this objective reads. The renderer stops the forward pass once all of them are
    /// computed; an empty set means "run the whole model".
    /// </summary>
    IReadOnlyCollection<string> Layers { get; }

    /// <summary>Computes the loss (a scalar tensor) for the current step.</summary>
    /// <param name="activations">The activations of the current step.</param>
    /// <returns>A scalar tensor; the caller owns it.</returns>
    Tensor Compute(IActivationLookup activations);
}
