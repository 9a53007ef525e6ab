using Lucent.Net.Images;

namespace Lucent.Net.Imaging;

/// <summary>
/// Exports MACO's transparency map (<c>RenderResult.Transparency</c>: one channel, values in [0, 1], high where the
/// objective's gradient accumulated) as an RGBA PNG of the image with the map as alpha, or as a heat map.
/// </summary>
public static class TransparencyMaps
{
    /// <summary>The image with the map as its alpha channel (straight alpha), as a (1, height, width, 4) batch.</summary>
    /// <param name="images">RGB images (3 channels), values in [0, 1].</param>
    /// <param name="transparency">The map: same batch, height and width, 1 channel.</param>
    /// <param name="index">Which image, from 0.</param>
    /// <returns>The RGBA image.</returns>
    /// <exception cref="ArgumentException">The shapes do not match or the image is not RGB.</exception>
    public static ImageBatch WithAlpha(ImageBatch images, ImageBatch transparency, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(transparency);
        Check(transparency, index);
        if (images.Channels != 3 || images.Height != transparency.Height || images.Width != transparency.Width || images.Batch != transparency.Batch)
        {
            throw new ArgumentException(
                $"The image ({images.Batch}x{images.Height}x{images.Width}x{images.Channels}) must be RGB with the transparency map's batch and size ({transparency.Batch}x{transparency.Height}x{transparency.Width}).",
                nameof(images));
        }

        int pixels = images.Height * images.Width;
        var rgba = new float[pixels * 4];
        for (int i = 0; i < pixels; i++)
        {
            int from = (index * pixels) + i;
            rgba[(i * 4) + 0] = images.Pixels[(from * 3) + 0];
            rgba[(i * 4) + 1] = images.Pixels[(from * 3) + 1];
            rgba[(i * 4) + 2] = images.Pixels[(from * 3) + 2];
            rgba[(i * 4) + 3] = Math.Clamp(transparency.Pixels[from], 0f, 1f);
        }

        return new ImageBatch(rgba, 1, images.Height, images.Width, 4);
    }

    /// <summary>
    /// The map as a heat map, (1, height, width, 3): 0 is black, then red, yellow and white at 1 (each of R, G, B
    /// rises over a third of the range).
    /// </summary>
    /// <param name="transparency">The map (1 channel, values in [0, 1]).</param>
    /// <param name="index">Which image, from 0.</param>
    /// <returns>The RGB heat map.</returns>
    public static ImageBatch HeatMap(ImageBatch transparency, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(transparency);
        Check(transparency, index);
        int pixels = transparency.Height * transparency.Width;
        var rgb = new float[pixels * 3];
        for (int i = 0; i < pixels; i++)
        {
            float v = Math.Clamp(transparency.Pixels[(index * pixels) + i], 0f, 1f);
            rgb[(i * 3) + 0] = Math.Clamp(v * 3f, 0f, 1f);
            rgb[(i * 3) + 1] = Math.Clamp((v * 3f) - 1f, 0f, 1f);
            rgb[(i * 3) + 2] = Math.Clamp((v * 3f) - 2f, 0f, 1f);
        }

        return new ImageBatch(rgb, 1, transparency.Height, transparency.Width, 3);
    }

    /// <summary>Writes <see cref="WithAlpha"/> as an RGBA PNG, atomically.</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="images">RGB images.</param>
    /// <param name="transparency">The map.</param>
    /// <param name="index">Which image, from 0.</param>
    public static void SaveRgbaPng(string path, ImageBatch images, ImageBatch transparency, int index = 0) =>
        WithAlpha(images, transparency, index).SavePng(path);

    /// <summary>Writes <see cref="HeatMap"/> as an RGB PNG, atomically.</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="transparency">The map.</param>
    /// <param name="index">Which image, from 0.</param>
    public static void SaveHeatMapPng(string path, ImageBatch transparency, int index = 0) =>
        HeatMap(transparency, index).SavePng(path);

    private static void Check(ImageBatch transparency, int index)
    {
        if (transparency.Channels != 1)
        {
            throw new ArgumentException($"A transparency map has 1 channel; got {transparency.Channels}.", nameof(transparency));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, transparency.Batch);
    }
}
