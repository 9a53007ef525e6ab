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

    /// <summary>
    /// Runs the local response normalisation as before the hand-written node: one (channels x channels)
    /// band product, each operation recorded by LibTorch's autograd. Same values up to float rounding;
    /// for the benchmarks' A/B (<c>variants --lrn</c>).
    /// </summary>
    internal bool UseComposedLrn { get; set; }

    /// <summary>
    /// Whether <see cref="InceptionV1Model.ComputeOnly"/> prunes (default); off, every layer is computed whole. For the
    /// benchmarks' A/B (<c>variants --lrn</c>).
    /// </summary>
    internal bool AllowPruning { get; set; } = true;

    /// <summary>
    /// Whether the network runs on channels-last (NHWC) activations: the input is reordered once,
    /// convolutions, pools, ReLUs and concatenations keep that order, and the local response
    /// normalisation works on it directly. Default <see langword="true"/>: a render step is about 1.4x
    /// faster on CPU (oneDNN convolutions need no reorders and LibTorch's max pool is vectorised over
    /// channels; docs/performance.md). Values equal those of the channels-first network up to float
    /// rounding. Activations keep their (batch, channels, height, width) shape; only their strides
    /// differ, so code that reads a layer must use <c>reshape</c> rather than <c>view</c> to flatten it.
    /// </summary>
    public bool UseChannelsLast { get; set; } = true;

    /// <summary>
    /// Seeds the random initial weights (<see cref="Lucent.Net.Modules.SeededInitialization"/>: uniform in
    /// ±1/sqrt(fan_in), PyTorch's default distribution) from a private generator, so that models built
    /// with the same seed are identical whatever else the process draws. Null (the default): TorchSharp's
    /// default initialisation from its global generator. Irrelevant when pretrained weights are loaded.
    /// </summary>
    public long? InitializationSeed { get; set; }
}
