using System.Buffers.Binary;
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// Image folders for dataset-example tests, made at test time from the four committed 64 px crops of public-domain and
/// CC0 photos (TestData/photos): crops, flips and scales, as PNG and JPEG, some in subfolders; and hostile files.
/// </summary>
internal static class TestImages
{
    /// <summary>The hostile files <see cref="AddHostile"/> writes: each must be skipped and named in the log.</summary>
    public static readonly string[] HostileNames = ["bad/truncated.jpg", "bad/empty.png", "bad/one-pixel.png", "bad/bomb.png", "bad/bomb.jpg", "bad/not-an-image.jpg"];

    public static string PhotosFolder => Path.Combine(ToolProcess.RepositoryRoot, "tests", "Lucent.Net.Tool.Tests", "TestData", "photos");

    /// <summary>Writes <paramref name="count"/> images (32 to 64 px) into <paramref name="dir"/>, the same bytes every time.</summary>
    public static IReadOnlyList<string> CreateDataset(string dir, int count)
    {
        string[] crops = ["astronaut.png", "chelsea.jpg", "coffee.png", "rocket.jpg"];
        var written = new List<string>();
        for (int i = 0; i < count; i++)
        {
            using var image = Image.Load<Rgb24>(Path.Combine(PhotosFolder, crops[i % crops.Length]));
            int variant = i / crops.Length;
            int size = 32 + ((variant * 8) % 33);
            int offset = (variant * 5) % 16;
            image.Mutate(x =>
            {
                x.Crop(new Rectangle(offset, offset / 2, 64 - offset, 64 - offset));
                if (variant % 2 == 1)
                {
                    x.Flip(FlipMode.Horizontal);
                }

                if (variant % 3 == 2)
                {
                    x.Flip(FlipMode.Vertical);
                }

                x.Resize(size, size - (variant % 4 * 4));
            });
            string folder = variant % 3 == 0 ? string.Empty : $"set{variant % 3}";
            string name = $"{Path.GetFileNameWithoutExtension(crops[i % crops.Length])}-{i:D3}.{(i % 2 == 0 ? "png" : "jpg")}";
            string path = Path.Combine(dir, folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (name.EndsWith(".png", StringComparison.Ordinal))
            {
                image.SaveAsPng(path);
            }
            else
            {
                image.SaveAsJpeg(path, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 90 });
            }

            written.Add(Path.GetRelativePath(dir, path).Replace(Path.DirectorySeparatorChar, '/'));
        }

        return written;
    }

    /// <summary>Writes the hostile files of <see cref="HostileNames"/> into <paramref name="dir"/>.</summary>
    public static void AddHostile(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "bad"));
        byte[] jpeg = File.ReadAllBytes(Path.Combine(PhotosFolder, "rocket.jpg"));
        File.WriteAllBytes(Path.Combine(dir, "bad", "truncated.jpg"), jpeg[..(jpeg.Length / 2)]);
        File.WriteAllBytes(Path.Combine(dir, "bad", "empty.png"), []);
        using (var pixel = new Image<Rgb24>(1, 1))
        {
            pixel.SaveAsPng(Path.Combine(dir, "bad", "one-pixel.png"));
        }

        File.WriteAllBytes(Path.Combine(dir, "bad", "bomb.png"), PngBomb(100_000, 100_000));
        File.WriteAllBytes(Path.Combine(dir, "bad", "bomb.jpg"), JpegBomb(jpeg, 65_000, 65_000));
        File.WriteAllText(Path.Combine(dir, "bad", "not-an-image.jpg"), "<html>not an image</html>");
    }

    /// <summary>A valid PNG header (with CRCs) declaring <paramref name="width"/> x <paramref name="height"/> RGB pixels, and a few bytes of compressed zeros.</summary>
    public static byte[] PngBomb(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 2;
        Chunk(stream, "IHDR", header);
        using (var zeros = new MemoryStream())
        {
            using (var deflate = new ZLibStream(zeros, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                deflate.Write(new byte[1 << 20]);
            }

            Chunk(stream, "IDAT", zeros.ToArray());
        }

        Chunk(stream, "IEND", []);
        return stream.ToArray();
    }

    /// <summary><paramref name="jpeg"/> with its frame header's size replaced by <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static byte[] JpegBomb(byte[] jpeg, int width, int height)
    {
        byte[] copy = (byte[])jpeg.Clone();
        for (int i = 2; i + 9 < copy.Length;)
        {
            byte marker = copy[i + 1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(i + 2));
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 7), (ushort)width);
                return copy;
            }

            i += 2 + length;
        }

        throw new InvalidOperationException("no frame header found");
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        stream.Write(number);
        byte[] typed = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        stream.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
        stream.Write(number);
    }

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
        }

        return c ^ 0xFFFFFFFFu;
    }
}
