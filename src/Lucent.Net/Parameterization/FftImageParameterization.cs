using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// The image is the inverse real 2-D FFT of a trainable, frequency-scaled spectrum (Lucent's
/// <c>fft_image(shape, sd, decay_power)</c>). Optimising in this basis de-emphasises high frequencies and
/// gives smoother, more natural visualisations than raw pixels.
/// </summary>
/// <remarks>
/// <para>Parameters: real and imaginary parts of the spectrum, shape (batch, channels, h, cols, 2) with
/// <c>cols = w/2 + 1</c> for even w and <c>w/2 + 2</c> for odd w (integer division; at most w), initialised
/// to <c>randn * sd</c>.</para>
/// <para>Image: <c>irfft2(scale * spectrum, size (h, w), orthonormal) / 4</c>, where
/// <c>scale = 1 / max(f, 1 / max(w, h))^decay_power</c> and f is the frequency magnitude from
/// <see cref="FrequencyGrid"/>. The extra column kept for odd widths is ignored by the inverse FFT (its
/// gradient is zero), exactly as in Lucent. Values are unbounded: wrap in
/// <see cref="ValidRgbParameterization"/> for [0, 1] images.</para>
/// </remarks>
public sealed class FftImageParameterization : ImageParameterizationBase
{
    /// <summary>Lucid's constant that the inverse FFT is divided by (lower saturation).</summary>
    public const double MagicDivisor = 4.0;

    private readonly Parameter _spectrum;
    private readonly Tensor _scale;

    internal FftImageParameterization(ImageShape shape, double standardDeviation, double decayPower, RandomSource? random, Device? device, Tensor? initialSpectrum = null)
        : base(shape, string.Create(CultureInfo.InvariantCulture, $"fft({shape.Batch}x{shape.Channels}x{shape.Height}x{shape.Width}, sd {standardDeviation:G6}, decay {decayPower:G6})"))
    {
        StandardDeviation = standardDeviation;
        DecayPower = decayPower;
        int columns = SpectrumColumns(shape.Width);
        var scale = FrequencyScale(shape.Height, shape.Width, decayPower);

        using var scope = torch.NewDisposeScope();
        var scaleTensor = torch.tensor(scale, dtype: ScalarType.Float32).view(1, 1, shape.Height, columns, 1);
        if (device is not null && device != scaleTensor.device)
        {
            scaleTensor = scaleTensor.to(device);
        }

        _scale = RandomSource.Keep(scaleTensor);
        var start = initialSpectrum is null
            ? random!.Normal([shape.Batch, shape.Channels, shape.Height, columns, 2], standardDeviation, device)
            : initialSpectrum.to_type(ScalarType.Float32).detach().clone();
        if (device is not null && device != start.device)
        {
            start = start.to(device);
        }

        _spectrum = RandomSource.ToParameter(start.contiguous());
        Parameters = [_spectrum];
    }

    /// <summary>The standard deviation of the initial spectrum values.</summary>
    public double StandardDeviation { get; }

    /// <summary>The exponent of the frequency scaling (1 in Lucent).</summary>
    public double DecayPower { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// Number of spectrum columns kept for an image <paramref name="width"/> wide: <c>w/2 + 1</c> for even
    /// widths, <c>w/2 + 2</c> for odd ones (one extra, later cut off), but never more than w.
    /// </summary>
    /// <param name="width">Image width in pixels; at least 1.</param>
    /// <returns>The column count.</returns>
    public static int SpectrumColumns(int width)
    {
        ParameterizationGuard.Positive(width, nameof(width), "width");
        return width % 2 == 1 ? Math.Min((width / 2) + 2, width) : (width / 2) + 1;
    }

    /// <summary>
    /// The magnitude <c>sqrt(fx^2 + fy^2)</c> of each spectrum entry (Lucid's <c>rfft2d_freqs</c>): fy are
    /// numpy's <c>fftfreq(h)</c> values for the rows, fx the first <see cref="SpectrumColumns"/> values of
    /// <c>fftfreq(w)</c> for the columns (cycles per pixel).
    /// </summary>
    /// <param name="height">Image height; at least 1.</param>
    /// <param name="width">Image width; at least 1.</param>
    /// <returns>An array [height, columns].</returns>
    public static double[,] FrequencyGrid(int height, int width)
    {
        ParameterizationGuard.Positive(height, nameof(height), "height");
        int columns = SpectrumColumns(width);
        var grid = new double[height, columns];
        for (int y = 0; y < height; y++)
        {
            double fy = FftFrequency(y, height);
            for (int x = 0; x < columns; x++)
            {
                double fx = FftFrequency(x, width);
                grid[y, x] = Math.Sqrt((fx * fx) + (fy * fy));
            }
        }

        return grid;
    }

    /// <summary>The scale applied to the spectrum: <c>1 / max(f, 1 / max(w, h))^decayPower</c>, as float32 values.</summary>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="decayPower">The exponent (1 in Lucent).</param>
    /// <returns>An array [height, columns].</returns>
    public static float[,] FrequencyScale(int height, int width, double decayPower)
    {
        var frequencies = FrequencyGrid(height, width);
        double floor = 1.0 / Math.Max(width, height);
        var scale = new float[frequencies.GetLength(0), frequencies.GetLength(1)];
        for (int y = 0; y < scale.GetLength(0); y++)
        {
            for (int x = 0; x < scale.GetLength(1); x++)
            {
                scale[y, x] = (float)(1.0 / Math.Pow(Math.Max(frequencies[y, x], floor), decayPower));
            }
        }

        return scale;
    }

    /// <summary>
    /// The spectrum parameter that makes <paramref name="image"/> exactly (the inverse of
    /// <see cref="CreateImageCore"/>): <c>rfft2(4 · image, orthonormal) / scale</c>, real and imaginary parts
    /// stacked, with a zero extra column for odd widths. The inverse real FFT of a real image's spectrum gives
    /// the image back, and the scale is never zero, so this is exact to float error.
    /// </summary>
    /// <param name="image">Unbounded images (batch, channels, height, width).</param>
    /// <param name="decayPower">The exponent of the frequency scaling.</param>
    /// <returns>A (batch, channels, height, columns, 2) tensor; the caller owns it.</returns>
    internal static Tensor SpectrumOf(Tensor image, double decayPower)
    {
        using var scope = torch.NewDisposeScope();
        int height = (int)image.shape[2];
        int width = (int)image.shape[3];
        int columns = SpectrumColumns(width);
        var scale = torch.tensor(FrequencyScale(height, width, decayPower), dtype: ScalarType.Float32).to(image.device).view(1, 1, height, columns, 1);
        var spectrum = torch.view_as_real(torch.fft.rfft2(image.to_type(ScalarType.Float32).mul(MagicDivisor), norm: FFTNormType.Ortho));
        if (spectrum.shape[3] < columns)
        {
            spectrum = torch.cat([spectrum, torch.zeros([spectrum.shape[0], spectrum.shape[1], height, columns - spectrum.shape[3], 2], ScalarType.Float32, device: image.device)], 3);
        }

        return spectrum.div(scale).MoveToOuterDisposeScope();
    }

    /// <summary>numpy's <c>fftfreq(n)[k]</c>: k/n for k up to (n-1)/2, then (k-n)/n (computed as numpy does, times 1.0/n).</summary>
    private static double FftFrequency(int k, int n)
    {
        int signed = k <= (n - 1) / 2 ? k : k - n;
        return signed * (1.0 / n);
    }

    /// <inheritdoc />
    protected override Tensor CreateImageCore()
    {
        var scaled = _spectrum.mul(_scale);
        var complex = torch.view_as_complex(scaled);
        var image = torch.fft.irfftn(complex, s: [Shape.Height, Shape.Width], dim: [-2, -1], norm: FFTNormType.Ortho);
        return image.div(MagicDivisor);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _spectrum.Dispose();
            _scale.Dispose();
        }
    }
}
