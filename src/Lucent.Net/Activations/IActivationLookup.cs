using static TorchSharp.torch;

namespace Lucent.Net.Activations;

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
