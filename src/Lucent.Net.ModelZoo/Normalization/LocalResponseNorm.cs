using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Normalization;

/// <summary>
/// Local response normalisation across channels (<see cref="LrnSpec"/>) of a (batch, channels, height, width) tensor in
/// either memory order: window sums as block matrix products (<see cref="LrnWindow"/>), and where a gradient is
/// recorded one autograd node with a hand-written backward pass (<see cref="LrnFunction"/>). InceptionV1's two LRNs
/// and ONNX's <c>LRN</c> operator run through it.
/// </summary>
internal static class LocalResponseNorm
{
    /// <summary>Normalises <paramref name="input"/>; a new tensor the caller owns, in the input's memory order.</summary>
    /// <param name="input">A tensor laid out (batch, channels, height, width).</param>
    /// <param name="spec">The constants.</param>
    /// <returns>The normalised tensor.</returns>
    public static Tensor Apply(Tensor input, LrnSpec spec)
    {
        if (input.requires_grad && torch.is_grad_enabled())
        {
            return LrnFunction.apply(input, spec);
        }

        var (output, rows, power, _) = LrnFunction.Forward(input, spec, withGradientWeight: false);
        rows.Dispose();
        power.Dispose();
        return output;
    }
}
