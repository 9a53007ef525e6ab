using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary>
/// Gives an objective the activations of named layers for the current step. Layer names follow
/// Lucent: every named submodule of the model with its path joined by <c>_</c>, plus
/// <see cref="Input"/> (the parameterised image before transforms) and <see cref="Labels"/>
/// (the output of the last registered module).
/// </summary>
public interface IActivationLookup
{
    /// <summary>The name of the parameterised image before transforms.</summary>
    public const string Input = "input";

    /// <summary>The name of the model's final output (the last registered module).</summary>
    public const string Labels = "labels";

    /// <summary>The activations of <paramref name="layer"/>, laid out (batch, channels, ...).</summary>
    /// <param name="layer">A layer name.</param>
    /// <returns>The activation tensor; owned by the lookup, do not dispose.</returns>
    /// <exception cref="UnknownLayerException">No such layer; the message lists the closest names.</exception>
    Tensor this[string layer] { get; }
}

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
