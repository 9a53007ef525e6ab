using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>
/// The output of an Inception block (<c>mixed3a</c> ... <c>mixed5b</c>): the concatenation of its
/// 1x1, 3x3, 5x5 and pool-reduce branches on the channel axis.
/// </summary>
/// <remarks>
/// Like every hookable layer of <see cref="InceptionV1Model"/>, this is a
/// <c>Module&lt;Tensor, Tensor&gt;</c>, so one kind of forward hook reads every layer. The
/// concatenation happens in <see cref="Concatenate"/>, which then calls the module on the result:
/// forward hooks fire with the concatenated tensor as both input and output.
/// </remarks>
public sealed class InceptionConcat : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module.</summary>
    /// <param name="name">The module name (the block name).</param>
    public InceptionConcat(string name)
        : base(name)
    {
    }

    /// <summary>Concatenates the branches on the channel axis and runs the module (and its hooks) on the result.</summary>
    /// <param name="branches">The branch outputs, each laid out (batch, channels, height, width), in order.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public Tensor Concatenate(params Tensor[] branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Length == 0)
        {
            throw new ArgumentException("Give at least one branch to concatenate.", nameof(branches));
        }

        using var concatenated = cat(branches, 1);
        return call(concatenated);
    }

    /// <summary>Passes an already concatenated block output through (so hooks can see it).</summary>
    /// <param name="input">The concatenated block output.</param>
    /// <returns>A new handle to the same values; the caller owns it.</returns>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.alias();
    }
}
