using Lucent.Net.Images;

namespace Lucent.Net.Imaging;

/// <summary>
/// Shows transparent (RGBA) images the usual way: composited over a grey checkerboard, with the light and dark
/// levels of Lucid's transparency notebook (0.95 and 0.6). Used by <see cref="FigureGrid"/> for 4-channel images.
/// </summary>
/// <remarks>
/// Square (x, y) of an image, counted from its top-left pixel in squares of <c>squareSize</c> pixels, is light when
/// <c>(x / squareSize + y / squareSize)</c> is even. A pixel becomes <c>alpha * rgb + (1 - alpha) * checker</c>,
/// computed on the stored values (alpha clamped to [0, 1]), as browsers show a transparent PNG.
/// </remarks>
public static class Checkerboard
{
    /// <summary>The light level (0.95, Lucid's <c>fg</c>).</summary>
    public const float Light = 0.95f;

    /// <summary>The dark level (0.6, Lucid's <c>bg</c>).</summary>
    public const float Dark = 0.6f;

    /// <summary>The default side of a square in pixels (8).</summary>
    public const int DefaultSquareSize = 8;

    /// <summary>The checkerboard level at pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    /// <param name="x">Column, from 0.</param>
    /// <param name="y">Row, from 0.</param>
    /// <param name="squareSize">Side of a square in pixels; at least 1.</param>
    /// <returns><see cref="Light"/> or <see cref="Dark"/>.</returns>
    public static float Level(int x, int y, int squareSize = DefaultSquareSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(squareSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        return (((x / squareSize) + (y / squareSize)) % 2) == 0 ? Light : Dark;
    }

    /// <summary>Composites one RGBA value over the checkerboard: <c>alpha * value + (1 - alpha) * level</c>.</summary>
    /// <param name="value">A colour value.</param>
    /// <param name="alpha">Its alpha; clamped to [0, 1] (NaN counts as 0).</param>
    /// <param name="level">The checkerboard level behind it.</param>
    /// <returns>The value shown.</returns>
    public static float Over(float value, float alpha, float level)
    {
        float a = float.IsNaN(alpha) ? 0f : Math.Clamp(alpha, 0f, 1f);
        return (a * value) + ((1f - a) * level);
    }

    /// <summary>Composites every image of an RGBA batch over the checkerboard.</summary>
    /// <param name="images">The images; 4 channels (R, G, B, alpha).</param>
    /// <param name="squareSize">Side of a square in pixels (8); at least 1.</param>
    /// <returns>A new RGB batch of the same size.</returns>
    /// <exception cref="ArgumentException">The images do not have 4 channels.</exception>
    public static ImageBatch Composite(ImageBatch images, int squareSize = DefaultSquareSize)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(squareSize, 1);
        if (images.Channels != 4)
        {
            throw new ArgumentException($"Checkerboard compositing needs RGBA images (4 channels); these have {images.Channels}. Images without alpha need no compositing.", nameof(images));
        }

        var pixels = new float[(long)images.Batch * images.Height * images.Width * 3];
        for (int i = 0; i < images.Batch; i++)
        {
            for (int y = 0; y < images.Height; y++)
            {
                for (int x = 0; x < images.Width; x++)
                {
                    float level = Level(x, y, squareSize);
                    float alpha = images[i, y, x, 3];
                    long to = ((((long)i * images.Height) + y) * images.Width + x) * 3;
                    for (int c = 0; c < 3; c++)
                    {
                        pixels[to + c] = Over(images[i, y, x, c], alpha, level);
                    }
                }
            }
        }

        return new ImageBatch(pixels, images.Batch, images.Height, images.Width, 3);
    }
}
