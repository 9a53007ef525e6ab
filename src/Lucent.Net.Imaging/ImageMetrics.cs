using Lucent.Net.Images;

namespace Lucent.Net.Imaging;

/// <summary>Which values the spectrum of <see cref="ImageMetrics.HighFrequencyEnergyShare"/> is taken of.</summary>
public enum SpectrumSource
{
    /// <summary>
    /// The luminance <c>0.299 R + 0.587 G + 0.114 B</c> (ITU-R BT.601) of RGB images; the single channel of grey
    /// images.
    /// </summary>
    Luminance,

    /// <summary>Every channel separately, with the powers of all channels summed.</summary>
    PerChannel,
}

/// <summary>
/// Image measurements used to compare renderings: the share of spectral energy at high spatial frequencies (how
/// noisy an image is) and the PNG compressed size per pixel (how much detail it holds).
/// </summary>
public static class ImageMetrics
{
    /// <summary>
    /// The share of the image's spectral power at radial spatial frequencies above
    /// <paramref name="cutoffCyclesPerPixel"/>, excluding the DC component.
    /// </summary>
    /// <remarks>
    /// <para>Computes the 2-D discrete Fourier transform of the image (a direct, separable DFT in double precision:
    /// using the symmetry of real input, cost about H·W·(H+W)/2 multiply-adds per plane). The frequency of bin (k, l) is
    /// <c>fx = k/W</c> and <c>fy = l/H</c> cycles per pixel with k, l the signed bin indices (-W/2..W/2), and its
    /// radial frequency is <c>sqrt(fx² + fy²)</c>, at most about 0.707 (the checkerboard). The result is
    /// <c>Σ power(radial &gt; cutoff) / Σ power(all bins but DC)</c>.</para>
    /// <para>Pinned values: a constant image gives 0 (no power outside DC: defined as 0); a one-pixel checkerboard
    /// gives 1 for any cutoff below 0.707; a sinusoid of 1/32 cycles per pixel gives 0 for a cutoff of 0.25.</para>
    /// </remarks>
    /// <param name="batch">The images.</param>
    /// <param name="cutoffCyclesPerPixel">The frequency threshold in cycles per pixel, in [0, 0.75).</param>
    /// <param name="index">Which image, from 0.</param>
    /// <param name="source">Luminance (default) or every channel.</param>
    /// <returns>The share, in [0, 1].</returns>
    public static double HighFrequencyEnergyShare(ImageBatch batch, double cutoffCyclesPerPixel, int index = 0, SpectrumSource source = SpectrumSource.Luminance)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, batch.Batch);
        if (double.IsNaN(cutoffCyclesPerPixel) || cutoffCyclesPerPixel < 0 || cutoffCyclesPerPixel >= 0.75)
        {
            throw new ArgumentOutOfRangeException(
                nameof(cutoffCyclesPerPixel), cutoffCyclesPerPixel, "The cutoff is in cycles per pixel and must be in [0, 0.75).");
        }

        int height = batch.Height, width = batch.Width;
        var plane = new double[height * width];
        double above = 0, total = 0, energy = 0, frequencyWeighted = 0;
        var tables = new DftTables(width, height);
        if (source == SpectrumSource.Luminance)
        {
            if (batch.Channels is not (1 or 3))
            {
                throw new ArgumentException(
                    $"Luminance needs 1 (grey) or 3 (RGB) channels, but the images have {batch.Channels}. Use SpectrumSource.PerChannel.",
                    nameof(batch));
            }

            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    plane[(y * width) + x] = batch.Channels == 1
                        ? batch[index, y, x, 0]
                        : (0.299 * batch[index, y, x, 0]) + (0.587 * batch[index, y, x, 1]) + (0.114 * batch[index, y, x, 2]);
                }
            }

            Accumulate(plane, width, height, cutoffCyclesPerPixel, tables, ref above, ref total, ref energy, ref frequencyWeighted);
        }
        else
        {
            for (int c = 0; c < batch.Channels; c++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        plane[(y * width) + x] = batch[index, y, x, c];
                    }
                }

                Accumulate(plane, width, height, cutoffCyclesPerPixel, tables, ref above, ref total, ref energy, ref frequencyWeighted);
            }
        }

        // Parseval: the summed power is n * energy. Power outside DC this small relative to it is rounding noise.
        double n = (double)width * height;
        if (total <= 1e-12 * n * energy || total == 0)
        {
            return 0;
        }

        return Math.Clamp(above / total, 0, 1);
    }

    /// <summary>
    /// The spatial scale of the image's structure in pixels: the wavelength <c>1 / f̄</c> of its power-weighted
    /// mean radial frequency <c>f̄ = Σ power·f / Σ power</c> (luminance, DC excluded). Fine texture and edges give a
    /// few pixels; large blobs and object-sized shapes give tens.
    /// </summary>
    /// <remarks>Same spectrum as <see cref="HighFrequencyEnergyShare"/>. Pinned values: a sinusoid of period 32 px
    /// gives 32; a one-pixel checkerboard gives <c>sqrt 2</c> (its frequency is about 0.707 cycles per pixel); a
    /// constant image (no power outside DC) gives 0.</remarks>
    /// <param name="batch">The images (1 or 3 channels).</param>
    /// <param name="index">Which image, from 0.</param>
    /// <returns>The scale in pixels, or 0 for an image without structure.</returns>
    public static double StructureScale(ImageBatch batch, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, batch.Batch);
        if (batch.Channels is not (1 or 3))
        {
            throw new ArgumentException($"Luminance needs 1 (grey) or 3 (RGB) channels, but the images have {batch.Channels}.", nameof(batch));
        }

        int height = batch.Height, width = batch.Width;
        var plane = new double[height * width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                plane[(y * width) + x] = batch.Channels == 1
                    ? batch[index, y, x, 0]
                    : (0.299 * batch[index, y, x, 0]) + (0.587 * batch[index, y, x, 1]) + (0.114 * batch[index, y, x, 2]);
            }
        }

        double above = 0, total = 0, energy = 0, frequencyWeighted = 0;
        Accumulate(plane, width, height, 0, new DftTables(width, height), ref above, ref total, ref energy, ref frequencyWeighted);
        double n = (double)width * height;
        if (total <= 1e-12 * n * energy || total == 0 || frequencyWeighted <= 0)
        {
            return 0;
        }

        return total / frequencyWeighted;
    }

    /// <summary>
    /// How edge-like the image is: the gradient-energy-weighted mean orientation coherence of its luminance,
    /// <c>Σ sqrt((Jxx - Jyy)² + 4 Jxy²) / Σ (Jxx + Jyy)</c> over every window of <c>(2r + 1)²</c> pixels, where J is the
    /// structure tensor (sums of products of the central-difference gradients in the window). 1 means one orientation
    /// in every window (stripes, straight edges); values near 0 mean no dominant orientation (blobs, spots, noise,
    /// intricate texture).
    /// </summary>
    /// <remarks>Pinned values: straight stripes give 1; a constant image (no gradient) gives 0; independent noise gives
    /// about 0.2 for r = 4.</remarks>
    /// <param name="batch">The images (1 or 3 channels), at least <c>2r + 3</c> pixels on each side.</param>
    /// <param name="index">Which image, from 0.</param>
    /// <param name="radius">The window radius r in pixels, at least 1 (4: 9x9 windows).</param>
    /// <returns>The coherence in [0, 1].</returns>
    public static double EdgeCoherence(ImageBatch batch, int index = 0, int radius = 4)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, batch.Batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(radius, 1);
        if (batch.Channels is not (1 or 3))
        {
            throw new ArgumentException($"Luminance needs 1 (grey) or 3 (RGB) channels, but the images have {batch.Channels}.", nameof(batch));
        }

        int height = batch.Height, width = batch.Width;
        if (height < (2 * radius) + 3 || width < (2 * radius) + 3)
        {
            throw new ArgumentException($"Edge coherence with radius {radius} needs images of at least {(2 * radius) + 3}x{(2 * radius) + 3} pixels; got {height}x{width}.", nameof(batch));
        }

        double Luma(int y, int x) => batch.Channels == 1
            ? batch[index, y, x, 0]
            : (0.299 * batch[index, y, x, 0]) + (0.587 * batch[index, y, x, 1]) + (0.114 * batch[index, y, x, 2]);

        // Gradient products on the interior, then window sums through summed-area tables.
        int gh = height - 2, gw = width - 2;
        var xx = new double[(gh + 1) * (gw + 1)];
        var yy = new double[(gh + 1) * (gw + 1)];
        var xy = new double[(gh + 1) * (gw + 1)];
        for (int y = 0; y < gh; y++)
        {
            for (int x = 0; x < gw; x++)
            {
                double gx = (Luma(y + 1, x + 2) - Luma(y + 1, x)) / 2;
                double gy = (Luma(y + 2, x + 1) - Luma(y, x + 1)) / 2;
                int i = ((y + 1) * (gw + 1)) + x + 1, up = (y * (gw + 1)) + x + 1, left = i - 1, diagonal = up - 1;
                xx[i] = (gx * gx) + xx[up] + xx[left] - xx[diagonal];
                yy[i] = (gy * gy) + yy[up] + yy[left] - yy[diagonal];
                xy[i] = (gx * gy) + xy[up] + xy[left] - xy[diagonal];
            }
        }

        double Window(double[] table, int y0, int x0, int y1, int x1) =>
            table[(y1 * (gw + 1)) + x1] - table[(y0 * (gw + 1)) + x1] - table[(y1 * (gw + 1)) + x0] + table[(y0 * (gw + 1)) + x0];

        int size = (2 * radius) + 1;
        double coherent = 0, energy = 0;
        for (int y = 0; y + size <= gh; y++)
        {
            for (int x = 0; x + size <= gw; x++)
            {
                double a = Window(xx, y, x, y + size, x + size), d = Window(yy, y, x, y + size, x + size), c = Window(xy, y, x, y + size, x + size);
                double trace = a + d;
                if (trace > 1e-12)
                {
                    coherent += Math.Sqrt(((a - d) * (a - d)) + (4 * c * c));
                    energy += trace;
                }
            }
        }

        return energy > 0 ? Math.Clamp(coherent / energy, 0, 1) : 0;
    }

    /// <summary>
    /// The size of image <paramref name="index"/> encoded as PNG by <see cref="ImageBatchPngExtensions.ToPngBytes"/>,
    /// in bytes per pixel: a rough measure of detail (noise compresses badly, smooth images well).
    /// </summary>
    /// <param name="batch">The images (1 or 3 channels).</param>
    /// <param name="index">Which image, from 0.</param>
    /// <returns>Bytes per pixel, including the PNG headers.</returns>
    public static double PngBytesPerPixel(ImageBatch batch, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.ToPngBytes(index).Length / ((double)batch.Width * batch.Height);
    }

    private static void Accumulate(double[] plane, int width, int height, double cutoff, DftTables tables, ref double above, ref double total, ref double energy, ref double frequencyWeighted)
    {
        // Remove the mean so that the DC bin and its rounding leakage vanish; it does not change any other bin.
        double mean = 0;
        foreach (double v in plane)
        {
            energy += v * v;
            mean += v;
        }

        mean /= plane.Length;

        // The input is real, so F(-k, -l) is the conjugate of F(k, l) and has the same radial frequency: only
        // columns k = 0..W/2 are computed, and those with a mirror image among the others count twice.
        int columns = (width / 2) + 1;

        // Rows first: R[k, y] = sum_x p[y, x] e^{-2 pi i k x / W}, stored by column for the second pass.
        var rowRe = new double[columns * height];
        var rowIm = new double[columns * height];
        for (int y = 0; y < height; y++)
        {
            int offset = y * width;
            for (int k = 0; k < columns; k++)
            {
                double re = 0, im = 0;
                int t = 0;
                for (int x = 0; x < width; x++)
                {
                    double v = plane[offset + x] - mean;
                    re += v * tables.CosW[t];
                    im -= v * tables.SinW[t];
                    t += k;
                    if (t >= width)
                    {
                        t -= width;
                    }
                }

                rowRe[(k * height) + y] = re;
                rowIm[(k * height) + y] = im;
            }
        }

        // Then columns: F[k, l] = sum_y R[k, y] e^{-2 pi i l y / H}.
        double cutoffSquared = cutoff * cutoff;
        for (int k = 0; k < columns; k++)
        {
            double weight = k == 0 || 2 * k == width ? 1 : 2;
            double fx = k / (double)width;
            int column = k * height;
            for (int l = 0; l < height; l++)
            {
                if (k == 0 && l == 0)
                {
                    continue;
                }

                double re = 0, im = 0;
                int t = 0;
                for (int y = 0; y < height; y++)
                {
                    double c = tables.CosH[t], s = tables.SinH[t];
                    double a = rowRe[column + y], b = rowIm[column + y];
                    re += (a * c) + (b * s);
                    im += (b * c) - (a * s);
                    t += l;
                    if (t >= height)
                    {
                        t -= height;
                    }
                }

                double power = weight * ((re * re) + (im * im));
                double fy = (l <= height / 2 ? l : l - height) / (double)height;
                total += power;
                frequencyWeighted += power * Math.Sqrt((fx * fx) + (fy * fy));
                if ((fx * fx) + (fy * fy) > cutoffSquared)
                {
                    above += power;
                }
            }
        }
    }

    private sealed class DftTables
    {
        public DftTables(int width, int height)
        {
            CosW = new double[width];
            SinW = new double[width];
            CosH = new double[height];
            SinH = new double[height];
            for (int t = 0; t < width; t++)
            {
                CosW[t] = Math.Cos(2 * Math.PI * t / width);
                SinW[t] = Math.Sin(2 * Math.PI * t / width);
            }

            for (int t = 0; t < height; t++)
            {
                CosH[t] = Math.Cos(2 * Math.PI * t / height);
                SinH[t] = Math.Sin(2 * Math.PI * t / height);
            }
        }

        public double[] CosW { get; }

        public double[] SinW { get; }

        public double[] CosH { get; }

        public double[] SinH { get; }
    }
}
