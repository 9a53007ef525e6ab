using Lucent.Net.Images;

namespace Lucent.Net.Imaging.Tests;

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lucent-imaging-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class TestImages
{
    /// <summary>A deterministic batch whose values cover [0, 1] including exact byte levels and out-of-range values.</summary>
    public static ImageBatch Gradient(int batch, int height, int width, int channels)
    {
        var pixels = new float[batch * height * width * channels];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = ((i * 37) % 256) / 255f;
        }

        return new ImageBatch(pixels, batch, height, width, channels);
    }

    public static ImageBatch Constant(int height, int width, int channels, float value)
    {
        var pixels = new float[height * width * channels];
        Array.Fill(pixels, value);
        return new ImageBatch(pixels, 1, height, width, channels);
    }

    public static ImageBatch Checkerboard(int height, int width, int channels)
    {
        var pixels = new float[height * width * channels];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    pixels[(((y * width) + x) * channels) + c] = (x + y) % 2;
                }
            }
        }

        return new ImageBatch(pixels, 1, height, width, channels);
    }

    /// <summary>A horizontal sinusoid with <paramref name="cycles"/> periods across the width.</summary>
    public static ImageBatch Sinusoid(int height, int width, int channels, int cycles)
    {
        var pixels = new float[height * width * channels];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float v = 0.5f + (0.4f * MathF.Sin(2 * MathF.PI * cycles * x / width));
                for (int c = 0; c < channels; c++)
                {
                    pixels[(((y * width) + x) * channels) + c] = v;
                }
            }
        }

        return new ImageBatch(pixels, 1, height, width, channels);
    }

    public static ImageBatch Noise(int height, int width, int channels, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[height * width * channels];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        return new ImageBatch(pixels, 1, height, width, channels);
    }

    /// <summary>Counts pixels of image 0 whose RGB differs from the colour.</summary>
    public static int CountNot(ImageBatch image, float r, float g, float b)
    {
        int count = 0;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (image[0, y, x, 0] != r || image[0, y, x, 1] != g || image[0, y, x, 2] != b)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
