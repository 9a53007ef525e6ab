using Lucent.Net.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Lucent.Net.Imaging;

/// <summary>
/// PNG export of <see cref="ImageBatch"/> values: one image, or the whole batch side by side
/// (the layout of Lucent's <c>export</c>: images concatenated along the width, no gaps).
/// </summary>
/// <remarks>
/// <para>Values are clamped to [0, 1] and rounded to 8-bit levels with <see cref="PixelQuantization.ToByte"/>
/// (<c>round(x * 255)</c>; Lucent truncates instead, so its files can be one level darker).</para>
/// <para>One channel is written as an 8-bit greyscale PNG, three channels as an 8-bit RGB PNG, four channels
/// (R, G, B, alpha, as an RGBA parameterisation renders them) as an 8-bit RGBA PNG with straight (not
/// premultiplied) alpha; other channel counts are rejected. The encoding is deterministic: the same values give the same bytes.</para>
/// <para>Files are written atomically with <see cref="AtomicFile"/>: a temporary file in the same folder is
/// renamed over the destination, so an existing file is replaced whole and nothing half-written is left.</para>
/// </remarks>
public static class ImageBatchPngExtensions
{
    /// <summary>Encodes image <paramref name="index"/> of the batch as PNG.</summary>
    /// <param name="batch">The images (1, 3 or 4 channels).</param>
    /// <param name="index">Which image, from 0.</param>
    /// <returns>The PNG file content.</returns>
    public static byte[] ToPngBytes(this ImageBatch batch, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, batch.Batch);
        return Encode(ToLevels(batch, index, 1), batch.Width, batch.Height, batch.Channels);
    }

    /// <summary>Encodes every image of the batch side by side, left to right in batch order, as one PNG.</summary>
    /// <param name="batch">The images (1, 3 or 4 channels).</param>
    /// <returns>The PNG file content: <c>Width * Batch</c> wide and <c>Height</c> high.</returns>
    public static byte[] ToPngStripBytes(this ImageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Encode(ToLevels(batch, 0, batch.Batch), batch.Width * batch.Batch, batch.Height, batch.Channels);
    }

    /// <summary>Writes image <paramref name="index"/> of the batch as a PNG file, atomically.</summary>
    /// <param name="batch">The images (1, 3 or 4 channels).</param>
    /// <param name="path">Destination file; its folder is created if needed and an existing file is replaced.</param>
    /// <param name="index">Which image, from 0.</param>
    public static void SavePng(this ImageBatch batch, string path, int index = 0) =>
        AtomicFile.WriteAllBytes(path, batch.ToPngBytes(index));

    /// <summary>Writes every image of the batch side by side as one PNG file, atomically.</summary>
    /// <param name="batch">The images (1, 3 or 4 channels).</param>
    /// <param name="path">Destination file; its folder is created if needed and an existing file is replaced.</param>
    public static void SavePngStrip(this ImageBatch batch, string path) =>
        AtomicFile.WriteAllBytes(path, batch.ToPngStripBytes());

    /// <summary>
    /// The 8-bit levels of <paramref name="count"/> images from <paramref name="first"/>, laid out as one image
    /// (height, count * width, channels) with the images side by side.
    /// </summary>
    internal static byte[] ToLevels(ImageBatch batch, int first, int count)
    {
        RequirePngChannels(batch.Channels);
        int rowValues = batch.Width * batch.Channels;
        int stripRow = rowValues * count;
        var levels = new byte[(long)stripRow * batch.Height];
        float[] pixels = batch.Pixels;
        for (int image = 0; image < count; image++)
        {
            long source = (long)(first + image) * batch.Height * rowValues;
            for (int y = 0; y < batch.Height; y++)
            {
                long from = source + ((long)y * rowValues);
                long to = ((long)y * stripRow) + ((long)image * rowValues);
                for (int i = 0; i < rowValues; i++)
                {
                    levels[to + i] = PixelQuantization.ToByte(pixels[from + i]);
                }
            }
        }

        return levels;
    }

    /// <summary>Encodes interleaved 8-bit levels (grey, RGB or RGBA) as PNG with fixed, deterministic settings.</summary>
    internal static byte[] Encode(byte[] levels, int width, int height, int channels)
    {
        RequirePngChannels(channels);
        using var stream = new MemoryStream();
        if (channels == 1)
        {
            using Image<L8> image = Image.LoadPixelData<L8>(levels, width, height);
            image.Save(stream, CreateEncoder(PngColorType.Grayscale));
        }
        else if (channels == 4)
        {
            using Image<Rgba32> image = Image.LoadPixelData<Rgba32>(levels, width, height);
            image.Save(stream, CreateEncoder(PngColorType.RgbWithAlpha));
        }
        else
        {
            using Image<Rgb24> image = Image.LoadPixelData<Rgb24>(levels, width, height);
            image.Save(stream, CreateEncoder(PngColorType.Rgb));
        }

        return stream.ToArray();
    }

    /// <summary>Throws unless <paramref name="channels"/> is 1, 3 or 4, the counts PNG export writes.</summary>
    internal static void RequirePngChannels(int channels)
    {
        if (channels is not (1 or 3 or 4))
        {
            throw new ArgumentException(
                $"PNG export supports 1 channel (grey), 3 channels (RGB) or 4 channels (RGBA), but the images have {channels}. " +
                "Convert the images to grey, RGB or RGBA first.",
                nameof(channels));
        }
    }

    /// <summary>Throws unless <paramref name="channels"/> is 1 or 3 (what image snapshots compare).</summary>
    internal static void RequireSupportedChannels(int channels)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentException(
                $"Image snapshots support 1 channel (grey) or 3 channels (RGB), but the images have {channels}. " +
                "Convert the images to grey or RGB first (RGBA images: Checkerboard.Composite).",
                nameof(channels));
        }
    }

    private static PngEncoder CreateEncoder(PngColorType colorType) => new()
    {
        ColorType = colorType,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.DefaultCompression,
        FilterMethod = PngFilterMethod.Adaptive,
        InterlaceMethod = PngInterlaceMode.None,
        ChunkFilter = PngChunkFilter.ExcludeAll,
        IgnoreMetadata = true,
        TransparentColorMode = PngTransparentColorMode.Preserve,
    };
}
