using System.Buffers.Binary;
using Lucent.Net.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Lucent.Net.Imaging;

/// <summary>
/// Decodes PNG files (such as snapshot baselines) with size limits enforced before decoding.
/// </summary>
/// <remarks>
/// <para>Order of checks: file size against <see cref="ImageDecodeLimits.MaxFileBytes"/> (before reading the file);
/// the PNG signature and the IHDR header read directly from the bytes; width, height and pixel count against the
/// limits; then <c>Image.Identify</c> with a configuration that knows only PNG, the same checks on what it reports,
/// and only then the decode. Other image formats are rejected: the decoders of ImageSharp 2.x have published
/// advisories, so only the PNG decoder is reachable and only for inputs within the limits.</para>
/// <para>Greyscale PNGs (with or without alpha) decode to 1 channel, all others to 3 channels (RGB); alpha is
/// dropped and 16-bit samples are reduced to 8 bits. Values are <c>level / 255</c>, so images written by
/// <see cref="ImageBatchPngExtensions"/> round-trip exactly.</para>
/// </remarks>
public static class SafePngLoader
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>A batch of one image with 1 (grey) or 3 (RGB) channels.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageTooLargeException">The file or the image is over a limit.</exception>
    /// <exception cref="InvalidPngException">The file is not a valid PNG.</exception>
    public static ImageBatch Load(string path, ImageDecodeLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"PNG file '{path}' does not exist.", path);
        }

        if (info.Length > limits.MaxFileBytes)
        {
            throw new ImageTooLargeException(
                $"PNG file '{path}' is {info.Length} bytes, over the limit of {limits.MaxFileBytes} bytes (ImageDecodeLimits.MaxFileBytes). " +
                "Raise the limit if the file is trusted.");
        }

        return DecodeCore(File.ReadAllBytes(path), limits, $"PNG file '{path}'");
    }

    /// <summary>Decodes PNG file content held in memory.</summary>
    /// <param name="png">The PNG file content.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>A batch of one image with 1 (grey) or 3 (RGB) channels.</returns>
    /// <exception cref="ImageTooLargeException">The content or the image is over a limit.</exception>
    /// <exception cref="InvalidPngException">The content is not a valid PNG.</exception>
    public static ImageBatch Decode(byte[] png, ImageDecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(png);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        if (png.LongLength > limits.MaxFileBytes)
        {
            throw new ImageTooLargeException(
                $"PNG data is {png.LongLength} bytes, over the limit of {limits.MaxFileBytes} bytes (ImageDecodeLimits.MaxFileBytes). " +
                "Raise the limit if the data is trusted.");
        }

        return DecodeCore(png, limits, "PNG data");
    }

    /// <summary>Reads width and height from the PNG header without decoding, and checks them against the limits.</summary>
    /// <param name="png">The PNG file content.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>The width and height in pixels.</returns>
    /// <exception cref="ImageTooLargeException">The image is over a limit.</exception>
    /// <exception cref="InvalidPngException">The content does not start with a PNG signature and header.</exception>
    public static (int Width, int Height) ReadSize(byte[] png, ImageDecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(png);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        return ReadHeader(png, limits, "PNG data");
    }

    private static ImageBatch DecodeCore(byte[] png, ImageDecodeLimits limits, string what)
    {
        (int width, int height) = ReadHeader(png, limits, what);
        var configuration = new Configuration(new PngConfigurationModule());
        try
        {
            IImageInfo? identified = Image.Identify(configuration, png, out _);
            if (identified is null)
            {
                throw new InvalidPngException($"{what} could not be identified as PNG.");
            }

            CheckSize(identified.Width, identified.Height, limits, what);
            if (identified.Width != width || identified.Height != height)
            {
                throw new InvalidPngException(
                    $"{what} is inconsistent: its header says {width}x{height} but the decoder reports {identified.Width}x{identified.Height}.");
            }

            PngColorType? colorType = identified.Metadata.GetPngMetadata().ColorType;
            bool grey = colorType is PngColorType.Grayscale or PngColorType.GrayscaleWithAlpha;
            return grey ? DecodeGrey(configuration, png) : DecodeRgb(configuration, png);
        }
        catch (Exception exception) when (exception is ImageFormatException or InvalidDataException or EndOfStreamException)
        {
            throw new InvalidPngException($"{what} is not a valid PNG: {exception.Message}", exception);
        }
    }

    private static ImageBatch DecodeGrey(Configuration configuration, byte[] png)
    {
        using Image<L8> image = Image.Load<L8>(configuration, png);
        var pixels = new float[image.Width * image.Height];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<L8> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    pixels[(y * rows.Width) + x] = PixelQuantization.ToFloat(row[x].PackedValue);
                }
            }
        });
        return new ImageBatch(pixels, 1, image.Height, image.Width, 1);
    }

    private static ImageBatch DecodeRgb(Configuration configuration, byte[] png)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(configuration, png);
        var pixels = new float[image.Width * image.Height * 3];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    int offset = ((y * rows.Width) + x) * 3;
                    pixels[offset] = PixelQuantization.ToFloat(row[x].R);
                    pixels[offset + 1] = PixelQuantization.ToFloat(row[x].G);
                    pixels[offset + 2] = PixelQuantization.ToFloat(row[x].B);
                }
            }
        });
        return new ImageBatch(pixels, 1, image.Height, image.Width, 3);
    }

    private static (int Width, int Height) ReadHeader(byte[] png, ImageDecodeLimits limits, string what)
    {
        // Signature (8 bytes), then the IHDR chunk: length (4) = 13, type (4) = "IHDR", width (4), height (4).
        if (png.Length < 24 || !png.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new InvalidPngException($"{what} does not start with the PNG signature; only PNG files are accepted.");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(8, 4)) != 13
            || png[12] != (byte)'I' || png[13] != (byte)'H' || png[14] != (byte)'D' || png[15] != (byte)'R')
        {
            throw new InvalidPngException($"{what} does not have an IHDR chunk first, as the PNG specification requires.");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(16, 4));
        uint height = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(20, 4));
        if (width == 0 || height == 0)
        {
            throw new InvalidPngException($"{what} declares an empty image ({width}x{height}).");
        }

        CheckSize(width, height, limits, what);
        return ((int)width, (int)height);
    }

    private static void CheckSize(long width, long height, ImageDecodeLimits limits, string what)
    {
        if (width > limits.MaxWidth || height > limits.MaxHeight)
        {
            throw new ImageTooLargeException(
                $"{what} is {width}x{height} pixels, over the limit of {limits.MaxWidth}x{limits.MaxHeight} " +
                "(ImageDecodeLimits.MaxWidth/MaxHeight). It was not decoded; raise the limits if the file is trusted.");
        }

        if (width * height > limits.MaxPixels)
        {
            throw new ImageTooLargeException(
                $"{what} has {width * height} pixels ({width}x{height}), over the limit of {limits.MaxPixels} pixels " +
                "(ImageDecodeLimits.MaxPixels). It was not decoded; raise the limit if the file is trusted.");
        }
    }
}
