namespace Lucent.Net.Images;

/// <summary>
/// Images copied out of TorchSharp into managed memory: float values in [0, 1], laid out
/// (batch, height, width, channels) like Lucent's returned arrays.
/// </summary>
public sealed class ImageBatch
{
    /// <summary>Creates a batch over <paramref name="pixels"/>.</summary>
    /// <param name="pixels">Values laid out (batch, height, width, channels); length must be the product of the sizes.</param>
    /// <param name="batch">Number of images.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="channels">Channels per pixel (3 for RGB, 1 for grey, 4 for RGBA).</param>
    public ImageBatch(float[] pixels, int batch, int height, int width, int channels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        long expected = (long)batch * height * width * channels;
        if (pixels.LongLength != expected)
        {
            throw new ArgumentException($"Expected {expected} values for {batch}x{height}x{width}x{channels}, got {pixels.LongLength}.", nameof(pixels));
        }

        Pixels = pixels;
        Batch = batch;
        Height = height;
        Width = width;
        Channels = channels;
    }

    /// <summary>The values, laid out (batch, height, width, channels).</summary>
    public float[] Pixels { get; }

    /// <summary>Number of images.</summary>
    public int Batch { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Channels per pixel.</summary>
    public int Channels { get; }

    /// <summary>The value of one channel of one pixel.</summary>
    /// <param name="index">Image index.</param>
    /// <param name="y">Row.</param>
    /// <param name="x">Column.</param>
    /// <param name="channel">Channel.</param>
    /// <returns>The value, nominally in [0, 1].</returns>
    public float this[int index, int y, int x, int channel] =>
        Pixels[(((((long)index * Height) + y) * Width) + x) * Channels + channel];

    /// <summary>One image of the batch as a batch of one.</summary>
    /// <param name="index">Image index.</param>
    /// <returns>A new batch holding a copy of that image.</returns>
    public ImageBatch Select(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Batch);
        int size = Height * Width * Channels;
        var copy = new float[size];
        Array.Copy(Pixels, (long)index * size, copy, 0, size);
        return new ImageBatch(copy, 1, Height, Width, Channels);
    }
}
