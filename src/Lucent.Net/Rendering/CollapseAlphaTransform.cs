using System.Globalization;
using Lucent.Net.Declarations;
using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>What <see cref="CollapseAlphaTransform"/> composites a transparent image over.</summary>
public enum AlphaBackground
{
    /// <summary>
    /// Lucid's default (<c>collapse_alpha_random</c>, which draws <c>image_sample(shape, sd=0.5)</c>): a new random
    /// FFT image every step, spectrum <c>randn * sd</c> scaled by <c>1 / max(f, 1 / max(w, h))</c>, orthonormal
    /// inverse FFT divided by 4, colour-decorrelated, through a sigmoid. Smooth, natural-looking coloured noise.
    /// </summary>
    FftNoise,

    /// <summary>Independent uniform values in [0, 1) for every pixel and colour, new every step.</summary>
    Uniform,
}

/// <summary>
/// Composites RGBA images over a random background so that the model sees RGB (Lucid's
/// <c>transform.collapse_alpha_random(sd=0.5)</c>): <c>alpha * rgb + (1 - alpha) * background</c>, with a new
/// background drawn from <see cref="TransformContext.Generator"/> on every call, so a seeded render is
/// reproducible. Because the background changes every step, only the opaque parts of the image can excite the
/// model reliably, and alpha learns where the feature is.
/// </summary>
/// <remarks>
/// <para>The renderer puts this transform first, before the user's transforms, whenever the parameterised image has
/// 4 channels and the transforms hold none (<see cref="Renderer.BuildPipeline"/>); put one in
/// <see cref="RenderOptions.Transforms"/> yourself to choose another background or position. Background values are
/// drawn on the generator's device (the CPU in a render) and moved to the image's device and dtype.</para>
/// <para>It lives in the rendering namespace, not with the other transforms, because its default background is an
/// image parameterisation's (FFT noise through colour decorrelation), and transforms do not use parameterisations.</para>
/// </remarks>
public sealed class CollapseAlphaTransform : IImageTransform
{
    /// <summary>Lucid's standard deviation of the background spectrum (0.5).</summary>
    public const double DefaultStandardDeviation = 0.5;

    /// <summary>Creates the transform.</summary>
    /// <param name="background">The kind of background (Lucid's <see cref="AlphaBackground.FftNoise"/> by default).</param>
    /// <param name="standardDeviation">Standard deviation of the FFT background's spectrum (0.5); positive and finite. Ignored for <see cref="AlphaBackground.Uniform"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The background is unknown or the standard deviation is not a positive number.</exception>
    public CollapseAlphaTransform(AlphaBackground background = AlphaBackground.FftNoise, double standardDeviation = DefaultStandardDeviation)
    {
        if (!Enum.IsDefined(background))
        {
            throw new ArgumentOutOfRangeException(nameof(background), background, "Unknown alpha background; use AlphaBackground.FftNoise (Lucid's) or AlphaBackground.Uniform.");
        }

        if (!(standardDeviation > 0) || !double.IsFinite(standardDeviation))
        {
            throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "The background's standard deviation must be a positive finite number (Lucid's is 0.5).");
        }

        Background = background;
        StandardDeviation = standardDeviation;
    }

    /// <summary>The kind of background.</summary>
    public AlphaBackground Background { get; }

    /// <summary>Standard deviation of the FFT background's spectrum.</summary>
    public double StandardDeviation { get; }

    /// <summary>The text form of <c>collapse_alpha_random</c>: Lucid's FFT-noise background.</summary>
    [TextFunction("collapse_alpha_random", "Composite an RGBA image over a new random FFT-noise background every step; sd is the spectrum's standard deviation, default 0.5 (`CollapseAlphaTransform`, Lucid's `collapse_alpha_random`).")]
    private static CollapseAlphaTransform Random([TextName("sd", "standard_deviation")] double standardDeviation = DefaultStandardDeviation) =>
        new(AlphaBackground.FftNoise, standardDeviation);

    /// <summary>The text form of <c>collapse_alpha_uniform</c>: uniform noise.</summary>
    [TextFunction("collapse_alpha_uniform", "Composite an RGBA image over new uniform noise every step (`CollapseAlphaTransform` with `AlphaBackground.Uniform`).")]
    private static CollapseAlphaTransform Uniform() => new(AlphaBackground.Uniform);

    /// <inheritdoc />
    public string Name => Background == AlphaBackground.FftNoise
        ? $"collapse_alpha_random(sd={StandardDeviation.ToString("G6", CultureInfo.InvariantCulture)})"
        : "collapse_alpha_uniform()";

    /// <summary>Whether <paramref name="transform"/> is, or is a pipeline holding (at any depth), a <see cref="CollapseAlphaTransform"/>.</summary>
    /// <param name="transform">The transform.</param>
    /// <returns>True when it composites alpha.</returns>
    public static bool IsIn(IImageTransform transform) => transform switch
    {
        CollapseAlphaTransform => true,
        TransformPipeline pipeline => pipeline.Transforms.Any(IsIn),
        _ => false,
    };

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The images do not have 4 channels (R, G, B, alpha).</exception>
    public Tensor Apply(Tensor image, TransformContext context)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(context);
        if (image.dim() != 4 || image.shape[1] != 4)
        {
            throw new ArgumentException(
                $"{Name} composites RGBA images and needs 4 channels (R, G, B, alpha); got shape [{string.Join(", ", image.shape)}]. Use ImageOptions.Alpha for an RGBA parameterisation, or leave this transform out for RGB images.",
                nameof(image));
        }

        using var scope = torch.NewDisposeScope();
        var background = DrawBackground(image.shape[0], (int)image.shape[2], (int)image.shape[3], context.Generator)
            .to(image.dtype, image.device);
        var rgb = image.narrow(1, 0, 3);
        var alpha = image.narrow(1, 3, 1);
        var composite = alpha.mul(rgb).add(alpha.neg().add(1).mul(background));
        return composite.MoveToOuterDisposeScope();
    }

    /// <summary>Draws one background batch (batch, 3, height, width) in [0, 1] from <paramref name="generator"/>, on its device.</summary>
    /// <param name="batch">Number of images.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="generator">The generator to draw from.</param>
    /// <returns>A new float32 tensor; the caller owns it.</returns>
    public Tensor DrawBackground(long batch, int height, int width, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (Background == AlphaBackground.Uniform)
        {
            return torch.rand([batch, 3, height, width], dtype: ScalarType.Float32, device: generator.device, generator: generator);
        }

        using var scope = torch.NewDisposeScope();
        var frequencyScale = FftImageParameterization.FrequencyScale(height, width, decayPower: 1.0);
        int columns = frequencyScale.GetLength(1);
        var scale = torch.tensor(frequencyScale, dtype: ScalarType.Float32, device: generator.device).view(1, 1, height, columns, 1);
        var spectrum = torch.randn([batch, 3, height, columns, 2], dtype: ScalarType.Float32, device: generator.device, generator: generator)
            .mul(StandardDeviation).mul(scale);
        var noise = torch.fft.irfftn(torch.view_as_complex(spectrum), s: [height, width], dim: [-2, -1], norm: FFTNormType.Ortho)
            .div(FftImageParameterization.MagicDivisor);
        return ColorDecorrelation.Decorrelate(noise).sigmoid().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
