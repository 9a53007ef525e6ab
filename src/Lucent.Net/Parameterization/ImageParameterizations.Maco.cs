using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <content>MACO and the parameterisations that start from a photo (feature accentuation).</content>
public static partial class ImageParameterizations
{
    /// <summary>The smallest distance from 0 and 1 a photo's pixels are clamped to before the sigmoid is inverted.</summary>
    public const double PhotoClampEpsilon = 1e-4;

    /// <summary>
    /// A MACO image (Fel et al. 2023): fixed magnitude spectrum, optimised phase, drawn uniformly in [−π, π);
    /// see <see cref="MacoParameterization"/>.
    /// </summary>
    /// <param name="width">Width in pixels; 1 to <see cref="MagnitudeSpectrum.MaxSize"/>.</param>
    /// <param name="height">Height in pixels; the width when <see langword="null"/>.</param>
    /// <param name="batch">Number of images; at least 1.</param>
    /// <param name="spectrum">The magnitude spectrum (resampled to the image size); <see cref="MagnitudeSpectrum.Default"/> when <see langword="null"/>.</param>
    /// <param name="generator">The generator to draw the initial phase from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <param name="device">Where the parameter lives; CPU when <see langword="null"/>.</param>
    /// <returns>A parameterisation producing (batch, channels of the spectrum, height, width) images in [0, 1].</returns>
    public static MacoParameterization Maco(int width, int? height = null, int batch = 1, MagnitudeSpectrum? spectrum = null, Generator? generator = null, long? seed = null, Device? device = null)
    {
        spectrum ??= MagnitudeSpectrum.Default;
        var shape = new ImageShape(batch, spectrum.Channels, height ?? width, width);
        CheckMacoShape(shape);
        using var random = RandomSource.Resolve(generator, seed);
        return new MacoParameterization(shape, spectrum, random, null, device);
    }

    /// <summary>
    /// A MACO image that starts from a photo: the phase is the photo's (<c>angle(rfft2(photo))</c>), the
    /// magnitude the given spectrum's, so the first image keeps the photo's structure with natural-image
    /// magnitudes (it is not the photo itself; see docs/maco.md).
    /// </summary>
    /// <param name="photo">Photos (batch, channels, height, width) with values in [0, 1]; the channels must match the spectrum's.</param>
    /// <param name="spectrum">The magnitude spectrum; <see cref="MagnitudeSpectrum.Default"/> when <see langword="null"/>.</param>
    /// <param name="device">Where the parameter lives; the photo's device when <see langword="null"/>.</param>
    /// <returns>The parameterisation.</returns>
    /// <exception cref="ArgumentException">The photo is not an image batch with the spectrum's channel count.</exception>
    public static MacoParameterization MacoFromPhoto(Tensor photo, MagnitudeSpectrum? spectrum = null, Device? device = null)
    {
        spectrum ??= MagnitudeSpectrum.Default;
        var shape = PhotoShape(photo, spectrum.Channels);
        CheckMacoShape(shape);
        using var phase = MacoParameterization.PhotoPhase(photo);
        return new MacoParameterization(shape, spectrum, null, phase, device ?? photo.device);
    }

    /// <summary>
    /// The standard FFT image (<see cref="Image(ImageOptions, Generator?, long?)"/> with <c>Fft = true</c>) whose
    /// parameters make <paramref name="photo"/>: the sigmoid, the colour decorrelation, the division by 4 and the
    /// frequency scaling are inverted (<c>spectrum = rfft2(4 · M⁻¹ logit(photo)) / scale</c>). Exact to float
    /// error for pixels in [ε, 1 − ε] with ε = <see cref="PhotoClampEpsilon"/>; pixels closer to 0 or 1 are
    /// clamped to that range first.
    /// </summary>
    /// <param name="photo">Photos (batch, 3, height, width) with values in [0, 1].</param>
    /// <param name="decorrelate">Whether the image decorrelates colours (Lucent's default, true).</param>
    /// <param name="decayPower">Exponent of the frequency scaling (1).</param>
    /// <param name="device">Where the parameters live; the photo's device when <see langword="null"/>.</param>
    /// <returns>A parameterisation whose first image is the (clamped) photo.</returns>
    /// <exception cref="ArgumentException">The photo is not an RGB image batch.</exception>
    public static ValidRgbParameterization ImageFromPhoto(Tensor photo, bool decorrelate = true, double decayPower = 1.0, Device? device = null)
    {
        var shape = PhotoShape(photo, 3);
        if (!double.IsFinite(decayPower))
        {
            throw new ArgumentOutOfRangeException(nameof(decayPower), decayPower, "The decay power must be a finite number (Lucent's default is 1).");
        }

        using var scope = torch.NewDisposeScope();
        var clamped = photo.to_type(ScalarType.Float32).clamp(PhotoClampEpsilon, 1 - PhotoClampEpsilon);
        var unbounded = clamped.logit();
        if (decorrelate)
        {
            unbounded = ColorDecorrelation.Undo(unbounded);
        }

        var spectrum = FftImageParameterization.SpectrumOf(unbounded, decayPower);
        var inner = new FftImageParameterization(shape, DefaultStandardDeviation, decayPower, null, device ?? photo.device, spectrum);
        string name = $"image_from_photo({shape.Width}x{shape.Height}, batch {shape.Batch}, fft{(decorrelate ? ", decorrelate" : string.Empty)})";
        return new ValidRgbParameterization(inner, decorrelate, name);
    }

    private static ImageShape PhotoShape(Tensor photo, int channels)
    {
        ArgumentNullException.ThrowIfNull(photo);
        if (photo.dim() != 4 || photo.shape[1] != channels || photo.shape[2] < 1 || photo.shape[3] < 1)
        {
            throw new ArgumentException($"The photo must be laid out (batch, {channels}, height, width) with values in [0, 1]; got shape [{string.Join(", ", photo.shape)}]. Convert an ImageBatch with TensorImages.ToTensor.", nameof(photo));
        }

        return new ImageShape((int)photo.shape[0], channels, (int)photo.shape[2], (int)photo.shape[3]);
    }

    private static void CheckMacoShape(ImageShape shape)
    {
        ParameterizationGuard.Shape(shape, nameof(shape));
        if (shape.Width > MagnitudeSpectrum.MaxSize || shape.Height > MagnitudeSpectrum.MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, $"A MACO image is at most {MagnitudeSpectrum.MaxSize} pixels a side; got {shape.Height}x{shape.Width}.");
        }
    }
}
