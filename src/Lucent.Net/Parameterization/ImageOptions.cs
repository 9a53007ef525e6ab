using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// Settings of the standard image parameterisation (Lucent's <c>image(w, h, sd, batch, decorrelate, fft, channels)</c>);
/// the defaults are Lucent's. As a <see cref="ParameterizationFactory"/> it is what a render makes by default
/// (<c>RenderOptions.Parameterization = new ImageOptions(128)</c>), or MACO's image with <see cref="Maco"/>.
/// </summary>
/// <param name="Width">Image width in pixels.</param>
public sealed record ImageOptions(int Width) : ParameterizationFactory
{
    /// <summary>Image height in pixels; <see langword="null"/> means the same as <see cref="Width"/>.</summary>
    public int? Height { get; init; }

    /// <summary>Standard deviation of the initial parameter values (0.01).</summary>
    public double StandardDeviation { get; init; } = 0.01;

    /// <summary>Number of images optimised together (1).</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Whether to decorrelate colours (true). Ignored, as in Lucent, when <see cref="Channels"/> is set.</summary>
    public bool Decorrelate { get; init; } = true;

    /// <summary>Whether to optimise in the Fourier basis (true) rather than raw pixels.</summary>
    public bool Fft { get; init; } = true;

    /// <summary>
    /// A custom channel count; <see langword="null"/> means 3 (RGB). As in Lucent, giving any value (even 3)
    /// turns colour decorrelation off.
    /// </summary>
    public int? Channels { get; init; }

    /// <summary>
    /// Whether the image has a fourth, alpha channel (false; Lucid's <c>image(..., alpha=True)</c>): the
    /// parameterisation then has 4 channels, RGB goes through the usual colour decorrelation and sigmoid and
    /// alpha through a sigmoid of its own, so every value is in [0, 1]. The renderer composites such images over
    /// a random background before the transforms (see <c>Rendering.CollapseAlphaTransform</c>). Cannot be
    /// combined with <see cref="Channels"/>.
    /// </summary>
    public bool Alpha { get; init; }

    /// <summary>Exponent of the FFT frequency scaling (1, Lucent's <c>decay_power</c>; Lucent's <c>image()</c> does not expose it).</summary>
    public double DecayPower { get; init; } = 1.0;

    /// <summary>
    /// Whether the image is a MACO image (false): fixed magnitude spectrum, optimised phase
    /// (<see cref="MacoParameterization"/>). Then only <see cref="Width"/>, <see cref="Height"/>, <see cref="Batch"/>,
    /// <see cref="Spectrum"/> and <see cref="Device"/> apply, and a render defaults to MACO's crop-and-noise
    /// transform, NAdam and learning rate 1.0 (docs/maco.md).
    /// </summary>
    public bool Maco { get; init; }

    /// <summary>The magnitude spectrum of a MACO image; <see cref="MagnitudeSpectrum.Default"/> when <see langword="null"/>.</summary>
    public MagnitudeSpectrum? Spectrum { get; init; }

    /// <summary>Where the parameters live; CPU when <see langword="null"/>.</summary>
    public Device? Device { get; init; }

    /// <summary>The effective height.</summary>
    public int EffectiveHeight => Height ?? Width;

    /// <summary>The effective channel count: <see cref="Channels"/>, else 4 with <see cref="Alpha"/>, else 3.</summary>
    public int EffectiveChannels => Channels ?? (Alpha ? 4 : 3);

    /// <summary>Whether colours are actually decorrelated (requested and no custom channel count).</summary>
    public bool EffectiveDecorrelate => Decorrelate && Channels is null;

    /// <summary>
    /// Makes the image these options describe on <paramref name="device"/> (the render's: <see cref="Device"/> is ignored
    /// here): <see cref="ImageParameterizations.Maco"/> with <see cref="Maco"/>, else <see cref="ImageParameterizations.Image(ImageOptions, Generator?, long?)"/>.
    /// </summary>
    /// <param name="generator">The render's seeded CPU generator.</param>
    /// <param name="device">The render's device.</param>
    /// <returns>A new parameterisation.</returns>
    public override IImageParameterization Create(Generator generator, Device device) =>
        Maco
            ? ImageParameterizations.Maco(Width, EffectiveHeight, Batch, Spectrum, generator, device: device)
            : ImageParameterizations.Image(this with { Device = device }, generator);
}
