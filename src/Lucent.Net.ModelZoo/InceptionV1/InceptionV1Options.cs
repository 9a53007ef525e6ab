namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>Options for <see cref="InceptionV1Model"/>.</summary>
public sealed class InceptionV1Options
{
    /// <summary>
    /// Whether every ReLU is Lucid's redirected ReLU (<see cref="Lucent.Net.Modules.RedirectedRelu"/>):
    /// same forward values, but 0.1 times the gradient passes where the input was negative, so that
    /// optimisation from noise does not stall. Default <see langword="true"/>, as in Lucent. Set to
    /// <see langword="false"/> for a plain ReLU (exact gradients).
    /// </summary>
    public bool UseRedirectedRelu { get; set; } = true;

    /// <summary>
    /// Runs Lucent's own operations instead of the faster equivalents: every convolution's padding
    /// as a separate zero <c>pad</c> copy, every max pool's padding as a separate -inf <c>pad</c> copy,
    /// and LibTorch's <c>local_response_norm</c> (which pools through <c>avg_pool3d</c>). Same
    /// values; used by the benchmarks' Lucent-faithful loop and by tests that pin the equivalence.
    /// </summary>
    internal bool UseLucentKernels { get; set; }
}
