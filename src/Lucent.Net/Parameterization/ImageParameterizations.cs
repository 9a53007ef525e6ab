using System.Globalization;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// Creates image parameterisations (Lucent's <c>lucent.optvis.param</c>). Every factory draws its initial
/// values from the <c>generator</c> given, or from a new generator seeded with <c>seed</c>; with neither,
/// from a new generator with a random seed (not reproducible). TorchSharp's global generator is never used.
/// The caller owns the result and disposes it.
/// </summary>
public static partial class ImageParameterizations
{
    /// <summary>Lucent's default standard deviation of initial values.</summary>
    public const double DefaultStandardDeviation = 0.01;

    /// <summary>
    /// The standard image (Lucent's <c>image(w, h, sd, batch, decorrelate, fft, channels)</c>): an FFT or
    /// pixel parameterisation, colour-decorrelated unless a channel count is given, through a sigmoid to
    /// [0, 1]. <c>Image(128)</c> is render_vis's default.
    /// </summary>
    /// <param name="width">Width in pixels; at least 1.</param>
    /// <param name="height">Height in pixels; the width when <see langword="null"/>.</param>
    /// <param name="standardDeviation">Standard deviation of the initial values; positive.</param>
    /// <param name="batch">Number of images; at least 1.</param>
    /// <param name="decorrelate">Whether to decorrelate colours (ignored when <paramref name="channels"/> is set).</param>
    /// <param name="fft">Whether to use the Fourier basis rather than pixels.</param>
    /// <param name="channels">A custom channel count (turns decorrelation off); 3 when <see langword="null"/>.</param>
    /// <param name="generator">The generator to draw initial values from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <param name="device">Where the parameters live; CPU when <see langword="null"/>.</param>
    /// <returns>A parameterisation producing (batch, channels, height, width) images in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size, the batch, the channel count or the standard deviation is out of range.</exception>
    /// <remarks>For an RGBA image (Lucid's <c>alpha=True</c>) use <see cref="Image(ImageOptions, Generator?, long?)"/> with <see cref="ImageOptions.Alpha"/> or <see cref="Rgba"/>.</remarks>
    public static ValidRgbParameterization Image(
        int width,
        int? height = null,
        double standardDeviation = DefaultStandardDeviation,
        int batch = 1,
        bool decorrelate = true,
        bool fft = true,
        int? channels = null,
        Generator? generator = null,
        long? seed = null,
        Device? device = null) =>
        Image(
            new ImageOptions(width)
            {
                Height = height,
                StandardDeviation = standardDeviation,
                Batch = batch,
                Decorrelate = decorrelate,
                Fft = fft,
                Channels = channels,
                Device = device,
            },
            generator,
            seed);

    /// <summary>The standard image from an options record; see <see cref="Image(int, int?, double, int, bool, bool, int?, Generator?, long?, Device?)"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="generator">The generator to draw initial values from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <returns>A parameterisation producing images in [0, 1].</returns>
    public static ValidRgbParameterization Image(ImageOptions options, Generator? generator = null, long? seed = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ParameterizationGuard.Positive(options.Width, nameof(options), "image width");
        ParameterizationGuard.Positive(options.EffectiveHeight, nameof(options), "image height");
        ParameterizationGuard.Positive(options.Batch, nameof(options), "batch size");
        ParameterizationGuard.Positive(options.EffectiveChannels, nameof(options), "channel count");
        ParameterizationGuard.StandardDeviation(options.StandardDeviation, nameof(options));
        if (options.Alpha && options.Channels is not null)
        {
            throw new ArgumentException(
                $"ImageOptions.Alpha adds a fourth (alpha) channel to an RGB image and cannot be combined with a custom channel count (Channels = {options.Channels}). Set one of them only.",
                nameof(options));
        }

        var shape = new ImageShape(options.Batch, options.EffectiveChannels, options.EffectiveHeight, options.Width);
        IImageParameterization inner = options.Fft
            ? Fft(shape, options.StandardDeviation, options.DecayPower, generator, seed, options.Device)
            : Pixel(shape, options.StandardDeviation, generator, seed, options.Device);
        string name = string.Create(
            CultureInfo.InvariantCulture,
            $"image({options.Width}x{options.EffectiveHeight}, batch {options.Batch}, channels {options.EffectiveChannels}, {(options.Fft ? "fft" : "pixel")}{(options.EffectiveDecorrelate ? ", decorrelate" : string.Empty)}{(options.Alpha ? ", alpha" : string.Empty)})");
        return new ValidRgbParameterization(inner, options.EffectiveDecorrelate, name, options.Alpha);
    }

    /// <summary>
    /// An RGBA image (Lucid's <c>image(w, h, sd, batch, decorrelate, fft, alpha=True)</c>): the standard image with
    /// a fourth channel, alpha, through a sigmoid of its own. The same as <see cref="Image(ImageOptions, Generator?, long?)"/>
    /// with <see cref="ImageOptions.Alpha"/> set.
    /// </summary>
    /// <param name="width">Width in pixels; at least 1.</param>
    /// <param name="height">Height in pixels; the width when <see langword="null"/>.</param>
    /// <param name="standardDeviation">Standard deviation of the initial values; positive.</param>
    /// <param name="batch">Number of images; at least 1.</param>
    /// <param name="decorrelate">Whether to decorrelate the RGB colours.</param>
    /// <param name="fft">Whether to use the Fourier basis rather than pixels.</param>
    /// <param name="generator">The generator to draw initial values from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <param name="device">Where the parameters live; CPU when <see langword="null"/>.</param>
    /// <returns>A parameterisation producing (batch, 4, height, width) images in [0, 1]: R, G, B, alpha.</returns>
    public static ValidRgbParameterization Rgba(
        int width,
        int? height = null,
        double standardDeviation = DefaultStandardDeviation,
        int batch = 1,
        bool decorrelate = true,
        bool fft = true,
        Generator? generator = null,
        long? seed = null,
        Device? device = null) =>
        Image(
            new ImageOptions(width)
            {
                Height = height,
                StandardDeviation = standardDeviation,
                Batch = batch,
                Decorrelate = decorrelate,
                Fft = fft,
                Alpha = true,
                Device = device,
            },
            generator,
            seed);

    /// <summary>Raw pixels (Lucent's <c>pixel_image(shape, sd)</c>): unbounded values <c>randn * sd</c>.</summary>
    /// <param name="shape">The image shape.</param>
    /// <param name="standardDeviation">Standard deviation of the initial values; positive.</param>
    /// <param name="generator">The generator to draw initial values from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <param name="device">Where the parameters live; CPU when <see langword="null"/>.</param>
    /// <returns>The parameterisation.</returns>
    public static PixelImageParameterization Pixel(ImageShape shape, double standardDeviation = DefaultStandardDeviation, Generator? generator = null, long? seed = null, Device? device = null)
    {
        ParameterizationGuard.Shape(shape, nameof(shape));
        ParameterizationGuard.StandardDeviation(standardDeviation, nameof(standardDeviation));
        using var random = RandomSource.Resolve(generator, seed);
        return new PixelImageParameterization(shape, standardDeviation, random, device);
    }

    /// <summary>The Fourier basis (Lucent's <c>fft_image(shape, sd, decay_power)</c>); see <see cref="FftImageParameterization"/>.</summary>
    /// <param name="shape">The image shape.</param>
    /// <param name="standardDeviation">Standard deviation of the initial spectrum; positive.</param>
    /// <param name="decayPower">Exponent of the frequency scaling (1); finite.</param>
    /// <param name="generator">The generator to draw initial values from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <param name="device">Where the parameters live; CPU when <see langword="null"/>.</param>
    /// <returns>The parameterisation (unbounded values).</returns>
    public static FftImageParameterization Fft(ImageShape shape, double standardDeviation = DefaultStandardDeviation, double decayPower = 1.0, Generator? generator = null, long? seed = null, Device? device = null)
    {
        ParameterizationGuard.Shape(shape, nameof(shape));
        ParameterizationGuard.StandardDeviation(standardDeviation, nameof(standardDeviation));
        if (!double.IsFinite(decayPower))
        {
            throw new ArgumentOutOfRangeException(nameof(decayPower), decayPower, "The decay power must be a finite number (Lucent's default is 1).");
        }

        using var random = RandomSource.Resolve(generator, seed);
        return new FftImageParameterization(shape, standardDeviation, decayPower, random, device);
    }

    /// <summary>
    /// Wraps a parameterisation with Lucent's <c>to_valid_rgb</c>: optional colour decorrelation, then a
    /// sigmoid. The wrapper owns <paramref name="inner"/> and disposes it.
    /// </summary>
    /// <param name="inner">The parameterisation with unbounded output.</param>
    /// <param name="decorrelate">Whether to decorrelate colours (Lucent's default here is false); needs 3 channels.</param>
    /// <returns>The wrapper.</returns>
    /// <exception cref="ArgumentException">Decorrelation was asked for an image that does not have 3 channels.</exception>
    public static ValidRgbParameterization ToValidRgb(IImageParameterization inner, bool decorrelate = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (decorrelate && inner.Shape.Channels != 3)
        {
            throw new ArgumentException($"Colour decorrelation needs 3 channels; '{inner.Name}' has {inner.Shape.Channels}. Pass decorrelate: false.", nameof(decorrelate));
        }

        return new ValidRgbParameterization(inner, decorrelate, $"valid_rgb({inner.Name}{(decorrelate ? ", decorrelate" : string.Empty)})");
    }

    /// <summary>A CPPN image (Lucent's <c>cppn(size, ...)</c>); see <see cref="CppnParameterization"/>.</summary>
    /// <param name="size">Width and height in pixels; at least 1.</param>
    /// <param name="options">Network settings; Lucent's defaults when <see langword="null"/>.</param>
    /// <param name="generator">The generator to draw initial weights from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <returns>The parameterisation (images in [0, 1], batch 1).</returns>
    public static CppnParameterization Cppn(int size, CppnOptions? options = null, Generator? generator = null, long? seed = null)
    {
        options ??= new CppnOptions();
        ParameterizationGuard.Positive(size, nameof(size), "CPPN image size");
        ParameterizationGuard.Positive(options.OutputChannels, nameof(options), "CPPN output channel count");
        ParameterizationGuard.Positive(options.HiddenChannels, nameof(options), "CPPN hidden channel count");
        ParameterizationGuard.Positive(options.Layers, nameof(options), "CPPN layer count");
        using var random = RandomSource.Resolve(generator, seed);
        return new CppnParameterization(size, options, random);
    }

    /// <summary>A low-resolution tensor (Lucent's <c>lowres_tensor</c>); see <see cref="LowResolutionParameterization"/>.</summary>
    /// <param name="options">Shapes, offset, standard deviation and device.</param>
    /// <param name="generator">The generator to draw initial values from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <returns>The parameterisation (unbounded values).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A shape, the standard deviation or an offset is out of range.</exception>
    public static LowResolutionParameterization LowResolution(LowResolutionOptions options, Generator? generator = null, long? seed = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ParameterizationGuard.Shape(options.Shape, nameof(options));
        ParameterizationGuard.Shape(options.UnderlyingShape, nameof(options));
        ParameterizationGuard.StandardDeviation(options.StandardDeviation, nameof(options));
        if (options.Offset is { } offset)
        {
            if (offset.Count != 2 && offset.Count != 4)
            {
                throw new ArgumentOutOfRangeException(nameof(options), offset.Count, "The offset needs 2 entries (left, right) or 4 (left, right, top, bottom).");
            }

            for (int i = 0; i < offset.Count; i++)
            {
                int limit = i < 2 ? options.Shape.Width : options.Shape.Height;
                if (offset[i] < 0 || offset[i] >= limit)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), offset[i], $"Offset entry {i} must be between 0 and {limit - 1} (reflect padding needs less than the {(i < 2 ? "width" : "height")} {limit}).");
                }
            }
        }

        using var random = RandomSource.Resolve(generator, seed);
        return new LowResolutionParameterization(options, random);
    }

    /// <summary>A low-resolution tensor from two shapes; see <see cref="LowResolution(LowResolutionOptions, Generator?, long?)"/>.</summary>
    /// <param name="shape">The shape produced.</param>
    /// <param name="underlyingShape">The shape of the trainable tensor.</param>
    /// <param name="generator">The generator to draw initial values from.</param>
    /// <param name="seed">A seed for a new generator, instead of <paramref name="generator"/>.</param>
    /// <returns>The parameterisation (unbounded values).</returns>
    public static LowResolutionParameterization LowResolution(ImageShape shape, ImageShape underlyingShape, Generator? generator = null, long? seed = null) =>
        LowResolution(new LowResolutionOptions(shape, underlyingShape), generator, seed);
}
