using System.Globalization;
using Lucent.Net.Images;
using Lucent.Net.Imaging;

namespace Lucent.Net.Testing;

/// <summary>
/// Image snapshot assertions for tests of renderings: compares an image with a committed baseline PNG within a
/// tolerance, independent of the test framework (a mismatch throws <see cref="ImageSnapshotMismatchException"/>).
/// </summary>
/// <remarks>
/// <para>For a baseline <c>snapshots/part1.png</c> a failing comparison writes <c>snapshots/part1.received.png</c>
/// (the image under test) and, when the sizes agree, <c>snapshots/part1.diff.png</c>: pixels differing by more than
/// the tolerance in red, pixels differing within the tolerance in yellow, the rest a faded grey copy of the
/// baseline. A passing comparison deletes stale received and diff files.</para>
/// <para>With <c>LUCENT_ACCEPT_SNAPSHOTS=1</c> in the environment (or
/// <see cref="SnapshotOptions.AcceptNewBaselines"/>), the received image is written as the baseline and the
/// comparison passes. All files are written atomically.</para>
/// <para>Images are compared as 8-bit RGB: float values are quantised with <see cref="PixelQuantization.ToByte"/>
/// and grey images count as RGB with equal channels. A batch of several images is compared as the strip of all
/// of them side by side.</para>
/// </remarks>
public static class ImageSnapshot
{
    /// <summary>The environment variable that accepts received images as new baselines when set to 1 (or true).</summary>
    public const string AcceptEnvironmentVariable = "LUCENT_ACCEPT_SNAPSHOTS";

    /// <summary>Asserts that <paramref name="image"/> matches the baseline PNG at <paramref name="baselinePath"/>.</summary>
    /// <param name="image">The images (1 or 3 channels); a batch of several is compared as one strip.</param>
    /// <param name="baselinePath">The committed baseline PNG (relative paths are relative to the current folder).</param>
    /// <param name="options">Tolerances; exact comparison when <see langword="null"/>.</param>
    /// <exception cref="ImageSnapshotMismatchException">The baseline is missing, has another size, or too many pixels differ.</exception>
    public static void Match(ImageBatch image, string baselinePath, SnapshotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ImageBatchPngExtensions.RequireSupportedChannels(image.Channels);
        byte[] levels = ImageBatchPngExtensions.ToLevels(image, 0, image.Batch);
        int width = image.Width * image.Batch;
        byte[] png = ImageBatchPngExtensions.Encode(levels, width, image.Height, image.Channels);
        MatchCore(ToRgb(levels, image.Channels), width, image.Height, png, baselinePath, options ?? new SnapshotOptions());
    }

    /// <summary>Asserts that the PNG <paramref name="png"/> matches the baseline PNG at <paramref name="baselinePath"/>.</summary>
    /// <param name="png">PNG file content, decoded within <see cref="SnapshotOptions.DecodeLimits"/>.</param>
    /// <param name="baselinePath">The committed baseline PNG (relative paths are relative to the current folder).</param>
    /// <param name="options">Tolerances; exact comparison when <see langword="null"/>.</param>
    /// <exception cref="ImageSnapshotMismatchException">The baseline is missing, has another size, or too many pixels differ.</exception>
    public static void Match(byte[] png, string baselinePath, SnapshotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(png);
        options ??= new SnapshotOptions();
        ImageBatch image = SafePngLoader.Decode(png, options.DecodeLimits);
        byte[] levels = ImageBatchPngExtensions.ToLevels(image, 0, 1);
        MatchCore(ToRgb(levels, image.Channels), image.Width, image.Height, png, baselinePath, options);
    }

    /// <summary>Compares two images of the same size as 8-bit RGB.</summary>
    /// <param name="expected">The reference image (image 0 of the batch, or the strip of a batch).</param>
    /// <param name="actual">The image under test.</param>
    /// <param name="tolerance">Largest accepted per-channel difference in 8-bit levels.</param>
    /// <returns>Counts and the largest difference.</returns>
    /// <exception cref="ArgumentException">The images have different sizes.</exception>
    public static ImageComparison Compare(ImageBatch expected, ImageBatch actual, int tolerance = 0)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        int width = expected.Width * expected.Batch;
        if (width != actual.Width * actual.Batch || expected.Height != actual.Height)
        {
            throw new ArgumentException(
                $"Cannot compare a {width}x{expected.Height} image with a {actual.Width * actual.Batch}x{actual.Height} image.", nameof(actual));
        }

        byte[] a = ToRgb(ImageBatchPngExtensions.ToLevels(expected, 0, expected.Batch), expected.Channels);
        byte[] b = ToRgb(ImageBatchPngExtensions.ToLevels(actual, 0, actual.Batch), actual.Channels);
        return ComparePixels(a, b, width, expected.Height, tolerance, diff: null);
    }

    /// <summary>The path of the received image written next to <paramref name="baselinePath"/>: <c>name.received.png</c>.</summary>
    /// <param name="baselinePath">The baseline path.</param>
    /// <returns>The full path of the received image.</returns>
    public static string ReceivedPathFor(string baselinePath) => SiblingPath(baselinePath, ".received.png");

    /// <summary>The path of the diff image written next to <paramref name="baselinePath"/>: <c>name.diff.png</c>.</summary>
    /// <param name="baselinePath">The baseline path.</param>
    /// <returns>The full path of the diff image.</returns>
    public static string DiffPathFor(string baselinePath) => SiblingPath(baselinePath, ".diff.png");

    private static void MatchCore(byte[] receivedRgb, int width, int height, byte[] receivedPng, string baselinePath, SnapshotOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baselinePath);
        options.Validate();
        string baseline = Path.GetFullPath(baselinePath);
        string received = ReceivedPathFor(baseline);
        string diffPath = DiffPathFor(baseline);

        if (options.AcceptNewBaselines ?? AcceptFromEnvironment())
        {
            AtomicFile.WriteAllBytes(baseline, receivedPng);
            DeleteIfPresent(received);
            DeleteIfPresent(diffPath);
            return;
        }

        if (!File.Exists(baseline))
        {
            AtomicFile.WriteAllBytes(received, receivedPng);
            DeleteIfPresent(diffPath);
            throw new ImageSnapshotMismatchException(
                $"No baseline image at '{baseline}'. The received image ({width}x{height}) was written to '{received}'. " +
                $"Review it; to accept it, rename it to '{Path.GetFileName(baseline)}' (and commit it), or rerun the test with " +
                $"{AcceptEnvironmentVariable}=1 in the environment.",
                SnapshotMismatchReason.MissingBaseline,
                baseline,
                received);
        }

        ImageBatch expected = SafePngLoader.Load(baseline, options.DecodeLimits);
        if (expected.Width != width || expected.Height != height)
        {
            AtomicFile.WriteAllBytes(received, receivedPng);
            DeleteIfPresent(diffPath);
            throw new ImageSnapshotMismatchException(
                $"Image size differs from the baseline '{baseline}': baseline {expected.Width}x{expected.Height}, " +
                $"received {width}x{height} (width x height). The received image was written to '{received}'. " +
                $"If the new size is intended, accept it by renaming the received file over the baseline or by rerunning with {AcceptEnvironmentVariable}=1.",
                SnapshotMismatchReason.SizeDiffers,
                baseline,
                received);
        }

        byte[] expectedRgb = ToRgb(ImageBatchPngExtensions.ToLevels(expected, 0, 1), expected.Channels);
        var diff = new byte[expectedRgb.Length];
        ImageComparison comparison = ComparePixels(expectedRgb, receivedRgb, width, height, options.Tolerance, diff);
        if (comparison.DifferingPixelFraction <= options.MaxDifferingPixelFraction)
        {
            DeleteIfPresent(received);
            DeleteIfPresent(diffPath);
            return;
        }

        AtomicFile.WriteAllBytes(received, receivedPng);
        AtomicFile.WriteAllBytes(diffPath, ImageBatchPngExtensions.Encode(diff, width, height, 3));
        throw new ImageSnapshotMismatchException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Image differs from the baseline '{baseline}': {comparison.DifferingPixels} of {(long)width * height} pixels " +
                $"({comparison.DifferingPixelFraction * 100:0.00}%) differ by more than {options.Tolerance} levels per channel " +
                $"(allowed: {options.MaxDifferingPixelFraction * 100:0.00}%); largest channel difference {comparison.MaxChannelDifference} levels " +
                $"at (x={comparison.MaxDifferenceX}, y={comparison.MaxDifferenceY}). Received image: '{received}'. " +
                $"Diff image (red: over tolerance, yellow: within): '{diffPath}'. If the change is intended, accept it by renaming " +
                $"the received file over the baseline or by rerunning with {AcceptEnvironmentVariable}=1."),
            SnapshotMismatchReason.PixelsDiffer,
            baseline,
            received)
        {
            DiffPath = diffPath,
            Comparison = comparison,
        };
    }

    private static ImageComparison ComparePixels(byte[] expected, byte[] actual, int width, int height, int tolerance, byte[]? diff)
    {
        long differing = 0;
        int maxDifference = 0, maxX = 0, maxY = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int offset = ((y * width) + x) * 3;
                int pixelMax = 0;
                for (int c = 0; c < 3; c++)
                {
                    pixelMax = Math.Max(pixelMax, Math.Abs(expected[offset + c] - actual[offset + c]));
                }

                if (pixelMax > maxDifference)
                {
                    (maxDifference, maxX, maxY) = (pixelMax, x, y);
                }

                if (pixelMax > tolerance)
                {
                    differing++;
                }

                if (diff is not null)
                {
                    WriteDiffPixel(diff, offset, expected, pixelMax, tolerance);
                }
            }
        }

        return new ImageComparison(width, height, tolerance, differing, maxDifference, maxX, maxY);
    }

    private static void WriteDiffPixel(byte[] diff, int offset, byte[] expected, int pixelMax, int tolerance)
    {
        if (pixelMax > tolerance)
        {
            (diff[offset], diff[offset + 1], diff[offset + 2]) = ((byte)255, (byte)0, (byte)0);
        }
        else if (pixelMax > 0)
        {
            (diff[offset], diff[offset + 1], diff[offset + 2]) = ((byte)255, (byte)200, (byte)0);
        }
        else
        {
            // Faded grey copy of the baseline: luminance mapped into [170, 255] so that red and yellow stand out.
            double luminance = (0.299 * expected[offset]) + (0.587 * expected[offset + 1]) + (0.114 * expected[offset + 2]);
            byte faded = (byte)Math.Round(170 + (luminance / 3));
            (diff[offset], diff[offset + 1], diff[offset + 2]) = (faded, faded, faded);
        }
    }

    private static byte[] ToRgb(byte[] levels, int channels)
    {
        if (channels == 3)
        {
            return levels;
        }

        var rgb = new byte[levels.Length * 3];
        for (int i = 0; i < levels.Length; i++)
        {
            rgb[3 * i] = rgb[(3 * i) + 1] = rgb[(3 * i) + 2] = levels[i];
        }

        return rgb;
    }

    private static bool AcceptFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(AcceptEnvironmentVariable);
        return value is not null
            && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
    }

    private static string SiblingPath(string baselinePath, string suffix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baselinePath);
        string full = Path.GetFullPath(baselinePath);
        string folder = Path.GetDirectoryName(full) ?? string.Empty;
        return Path.Combine(folder, Path.GetFileNameWithoutExtension(full) + suffix);
    }

    private static void DeleteIfPresent(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
