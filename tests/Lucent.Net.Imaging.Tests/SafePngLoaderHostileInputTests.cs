using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Lucent.Net.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Lucent.Net.Imaging.Tests;

/// <summary>Hostile and broken PNGs: metadata bombs, malformed chunks, unsupported header fields, fuzzed pixel data.</summary>
public class SafePngLoaderHostileInputTests(ITestOutputHelper output)
{
    private const int BombBytes = 128 << 20;

    /// <summary>128 MiB of zeros, zlib-compressed (about 130 kB): made once, shared by the bomb tests.</summary>
    private static readonly Lazy<byte[]> ZlibZeros = new(() =>
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < BombBytes / zeros.Length; i++)
            {
                zlib.Write(zeros);
            }
        }

        return output.ToArray();
    });

    [Theory]
    [InlineData("zTXt")]
    [InlineData("iTXt")]
    [InlineData("iCCP")]
    public void A_metadata_decompression_bomb_costs_bounded_memory_and_time(string chunk)
    {
        byte[] keyword = Encoding.ASCII.GetBytes("Comment\0");
        byte[] header = chunk switch
        {
            "zTXt" => [.. keyword, 0], // compression method 0
            "iTXt" => [.. keyword, 1, 0, 0, 0], // compressed, method 0, empty language tag and translated keyword
            _ => [.. keyword, 0], // iCCP: profile name, compression method 0
        };
        byte[] bomb = Png.Build(Png.Ihdr(1, 1, 8, 2), (chunk, [.. header, .. ZlibZeros.Value]), ("IDAT", Png.RgbPixelData(1, 1)), ("IEND", []));
        bomb.Length.Should().BeLessThan(200_000, "the bomb is a small file that inflates to 128 MiB");

        SafePngLoader.Decode(bomb); // warm up (JIT, ImageSharp statics)
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        ImageBatch image = SafePngLoader.Decode(bomb);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        output.WriteLine($"{chunk} bomb ({bomb.Length} bytes): {allocated / 1024.0:F0} KiB allocated, {clock.Elapsed.TotalMilliseconds:F1} ms");
        image.Width.Should().Be(1);
        image.Pixels.Select(PixelQuantization.ToByte).Should().Equal(new byte[] { 10, 200, 30 });
        allocated.Should().BeLessThan(16L << 20, "the metadata chunk must not be inflated (it was 3.5 GB before)");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "the metadata chunk must not be inflated (it took 10-14 s before)");
    }

    [Theory]
    [InlineData(0)] // empty pHYs
    [InlineData(3)] // short pHYs
    [InlineData(8)] // one byte short
    [InlineData(40)] // long pHYs
    public void Malformed_metadata_chunks_are_dropped_not_parsed(int physLength)
    {
        var random = new Random(physLength);
        var phys = new byte[physLength];
        random.NextBytes(phys);
        byte[] png = Png.Build(
            Png.Ihdr(1, 1, 8, 2),
            ("pHYs", phys),
            ("tEXt", [0xFF, 0xFE]),
            ("gAMA", [1]),
            ("eXIf", [1, 2, 3]),
            ("IDAT", Png.RgbPixelData(1, 1)),
            ("IEND", []));

        SafePngLoader.Decode(png).Pixels.Select(PixelQuantization.ToByte).Should().Equal(new byte[] { 10, 200, 30 });
    }

    [Theory]
    [InlineData(3, 2, 0, 0, 0, "*bit depth 3*colour type 2*")]
    [InlineData(8, 5, 0, 0, 0, "*colour type 5*")]
    [InlineData(16, 3, 0, 0, 0, "*bit depth 16*colour type 3*")]
    [InlineData(8, 2, 1, 0, 0, "*compression method 1*")]
    [InlineData(8, 2, 0, 1, 0, "*filter method 1*")]
    [InlineData(8, 2, 0, 0, 7, "*interlace method 7*")]
    public void Header_fields_outside_the_specification_are_rejected_with_what_is_wrong(
        byte bitDepth, byte colorType, byte compression, byte filter, byte interlace, string message)
    {
        byte[] ihdr = Png.Ihdr(1, 1, bitDepth, colorType);
        ihdr[10] = compression;
        ihdr[11] = filter;
        ihdr[12] = interlace;
        byte[] png = Png.Build(ihdr, ("IDAT", Png.RgbPixelData(1, 1)), ("IEND", []));

        var act = () => SafePngLoader.Decode(png);

        act.Should().Throw<InvalidPngException>().WithMessage(message);
    }

    [Fact]
    public void Broken_chunk_structure_is_rejected_with_what_is_wrong()
    {
        byte[] good = Png.Build(Png.Ihdr(1, 1, 8, 2), ("IDAT", Png.RgbPixelData(1, 1)), ("IEND", []));

        byte[] badCrc = (byte[])good.Clone();
        badCrc[^14] ^= 0x01; // inside the IDAT data
        FluentActions.Invoking(() => SafePngLoader.Decode(badCrc)).Should().Throw<InvalidPngException>().WithMessage("*IDAT*CRC-32*");

        byte[] longChunk = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(longChunk.AsSpan(33), 0x7FFF_FFF0);
        FluentActions.Invoking(() => SafePngLoader.Decode(longChunk)).Should().Throw<InvalidPngException>().WithMessage("*IDAT*declares 2147483632 bytes*");

        byte[] noEnd = good[..^12];
        FluentActions.Invoking(() => SafePngLoader.Decode(noEnd)).Should().Throw<InvalidPngException>().WithMessage("*truncated*IEND*");

        byte[] noData = Png.Build(Png.Ihdr(1, 1, 8, 2), ("IEND", []));
        FluentActions.Invoking(() => SafePngLoader.Decode(noData)).Should().Throw<InvalidPngException>().WithMessage("*no IDAT*");

        byte[] unknownCritical = Png.Build(Png.Ihdr(1, 1, 8, 2), ("QQQQ", [1]), ("IDAT", Png.RgbPixelData(1, 1)), ("IEND", []));
        FluentActions.Invoking(() => SafePngLoader.Decode(unknownCritical)).Should().Throw<InvalidPngException>().WithMessage("*unknown critical chunk 'QQQQ'*");

        byte[] badType = Png.Build(Png.Ihdr(1, 1, 8, 2), ("a1b2", [1]), ("IDAT", Png.RgbPixelData(1, 1)), ("IEND", []));
        FluentActions.Invoking(() => SafePngLoader.Decode(badType)).Should().Throw<InvalidPngException>().WithMessage("*four ASCII letters*");

        byte[] noPalette = Png.Build(Png.Ihdr(1, 1, 8, 3), ("IDAT", Png.Zlib([0, 0])), ("IEND", []));
        FluentActions.Invoking(() => SafePngLoader.Decode(noPalette)).Should().Throw<InvalidPngException>();
    }

    [Fact]
    public void Fuzzed_headers_and_pixel_data_with_valid_crcs_end_in_an_image_or_a_typed_error()
    {
        using var source = new Image<Rgba32>(7, 5);
        var random = new Random(11);
        for (int y = 0; y < 5; y++)
        {
            for (int x = 0; x < 7; x++)
            {
                source[x, y] = new Rgba32((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            }
        }

        using var stream = new MemoryStream();
        source.SaveAsPng(stream);
        List<(string Type, byte[] Data)> chunks = Png.Parse(stream.ToArray());
        var outcomes = new Dictionary<string, int>();
        for (int trial = 0; trial < 600; trial++)
        {
            var mutated = chunks.Select(c => (c.Type, Data: (byte[])c.Data.Clone())).ToList();
            int target = random.Next(2) == 0 ? 0 : mutated.FindIndex(c => c.Type == "IDAT");
            byte[] data = mutated[target].Data;
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips && data.Length > 0; f++)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            if (target != 0 && random.Next(4) == 0)
            {
                mutated[target] = (mutated[target].Type, data[..random.Next(data.Length)]);
            }

            byte[] png = Png.Build([.. mutated]);
            string outcome;
            try
            {
                SafePngLoader.Decode(png);
                outcome = "decoded";
            }
            catch (InvalidPngException)
            {
                outcome = nameof(InvalidPngException);
            }
            catch (ImageTooLargeException)
            {
                outcome = nameof(ImageTooLargeException);
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        outcomes.Keys.Should().BeSubsetOf(["decoded", nameof(InvalidPngException), nameof(ImageTooLargeException)]);
        outcomes.GetValueOrDefault(nameof(InvalidPngException)).Should().BePositive();
    }

    /// <summary>Builds PNG files chunk by chunk (with correct CRCs), so tests can say exactly what is malformed.</summary>
    private static class Png
    {
        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            uint c = (uint)n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            return c;
        }).ToArray();

        public static byte[] Ihdr(uint width, uint height, byte bitDepth, byte colorType)
        {
            var data = new byte[13];
            BinaryPrimitives.WriteUInt32BigEndian(data, width);
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
            data[8] = bitDepth;
            data[9] = colorType;
            return data;
        }

        /// <summary>8-bit RGB rows (filter 0) of the colour (10, 200, 30), zlib-compressed.</summary>
        public static byte[] RgbPixelData(int width, int height)
        {
            var raw = new List<byte>();
            for (int y = 0; y < height; y++)
            {
                raw.Add(0);
                for (int x = 0; x < width; x++)
                {
                    raw.AddRange([10, 200, 30]);
                }
            }

            return Zlib([.. raw]);
        }

        public static byte[] Zlib(byte[] raw)
        {
            using var output = new MemoryStream();
            using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(raw);
            }

            return output.ToArray();
        }

        public static byte[] Build(byte[] ihdr, params (string Type, byte[] Data)[] rest) => Build([("IHDR", ihdr), .. rest]);

        public static byte[] Build(params (string Type, byte[] Data)[] chunks)
        {
            using var png = new MemoryStream();
            png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
            Span<byte> word = stackalloc byte[4];
            foreach ((string type, byte[] data) in chunks)
            {
                byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
                BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
                png.Write(word);
                png.Write(typeAndData);
                BinaryPrimitives.WriteUInt32BigEndian(word, Crc(typeAndData));
                png.Write(word);
            }

            return png.ToArray();
        }

        public static List<(string Type, byte[] Data)> Parse(byte[] png)
        {
            var chunks = new List<(string, byte[])>();
            int position = 8;
            while (position < png.Length)
            {
                int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
                chunks.Add((Encoding.ASCII.GetString(png, position + 4, 4), png[(position + 8)..(position + 8 + length)]));
                position += 12 + length;
            }

            return chunks;
        }

        private static uint Crc(byte[] data)
        {
            uint c = 0xFFFFFFFFu;
            foreach (byte b in data)
            {
                c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
            }

            return c ^ 0xFFFFFFFFu;
        }
    }
}
