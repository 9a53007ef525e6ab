using System.Buffers.Binary;
using Lucent.Net.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Lucent.Net.Imaging.Tests;

public class SafePngLoaderTests
{
    /// <summary>A PNG signature and IHDR chunk declaring a huge image, with no image data at all.</summary>
    private static byte[] HeaderOnly(uint width, uint height)
    {
        var png = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(8), 13);
        "IHDR"u8.CopyTo(png.AsSpan(12));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), height);
        png[24] = 8; // bit depth
        png[25] = 2; // RGB
        return png;
    }

    [Fact]
    public void Oversize_dimensions_are_rejected_from_the_header_before_decoding()
    {
        var act = () => SafePngLoader.Decode(HeaderOnly(100_000, 100_000));
        act.Should().Throw<ImageTooLargeException>().WithMessage("*100000x100000*8192x8192*not decoded*");
    }

    [Fact]
    public void Width_height_and_pixel_limits_apply_to_real_files()
    {
        byte[] png = TestImages.Gradient(1, 10, 20, 3).ToPngBytes();

        SafePngLoader.ReadSize(png).Should().Be((20, 10));
        var wide = () => SafePngLoader.Decode(png, new ImageDecodeLimits { MaxWidth = 16 });
        wide.Should().Throw<ImageTooLargeException>().WithMessage("*20x10*MaxWidth/MaxHeight*");
        var tall = () => SafePngLoader.Decode(png, new ImageDecodeLimits { MaxHeight = 9 });
        tall.Should().Throw<ImageTooLargeException>();
        var many = () => SafePngLoader.Decode(png, new ImageDecodeLimits { MaxPixels = 199 });
        many.Should().Throw<ImageTooLargeException>().WithMessage("*200 pixels*MaxPixels*");
        SafePngLoader.Decode(png, new ImageDecodeLimits { MaxWidth = 20, MaxHeight = 10, MaxPixels = 200 }).Width.Should().Be(20);
    }

    [Fact]
    public void File_size_limit_is_checked_before_reading()
    {
        using var folder = new TempFolder();
        string path = folder.File("a.png");
        TestImages.Noise(32, 32, 3, seed: 1).SavePng(path);
        long size = new FileInfo(path).Length;

        var act = () => SafePngLoader.Load(path, new ImageDecodeLimits { MaxFileBytes = size - 1 });

        act.Should().Throw<ImageTooLargeException>().WithMessage($"*{size} bytes*MaxFileBytes*");
        SafePngLoader.Load(path, new ImageDecodeLimits { MaxFileBytes = size }).Width.Should().Be(32);
        var bytes = () => SafePngLoader.Decode(File.ReadAllBytes(path), new ImageDecodeLimits { MaxFileBytes = 10 });
        bytes.Should().Throw<ImageTooLargeException>();
    }

    [Fact]
    public void Other_formats_and_corrupt_files_are_rejected_as_invalid_png()
    {
        using var bmpImage = new Image<Rgb24>(4, 4);
        using var bmp = new MemoryStream();
        bmpImage.SaveAsBmp(bmp);

        var notPng = () => SafePngLoader.Decode(bmp.ToArray());
        notPng.Should().Throw<InvalidPngException>().WithMessage("*PNG signature*");

        byte[] png = TestImages.Noise(16, 16, 3, seed: 2).ToPngBytes();
        byte[] truncated = png[..(png.Length / 2)];
        var corrupt = () => SafePngLoader.Decode(truncated);
        corrupt.Should().Throw<InvalidPngException>();

        var empty = () => SafePngLoader.Decode(HeaderOnly(0, 5));
        empty.Should().Throw<InvalidPngException>().WithMessage("*empty image*");
    }

    [Fact]
    public void Missing_files_throw_file_not_found()
    {
        var act = () => SafePngLoader.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".png"));
        act.Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void Rgba_and_16_bit_pngs_decode_to_rgb_and_grey()
    {
        using var rgba = new Image<Rgba32>(2, 1);
        rgba[0, 0] = new Rgba32(10, 20, 30, 40);
        rgba[1, 0] = new Rgba32(250, 0, 5, 255);
        using var stream = new MemoryStream();
        rgba.SaveAsPng(stream);

        ImageBatch decoded = SafePngLoader.Decode(stream.ToArray());
        decoded.Channels.Should().Be(3);
        decoded.Pixels.Select(PixelQuantization.ToByte).Should().Equal(new byte[] { 10, 20, 30, 250, 0, 5 });

        using var grey16 = new Image<L16>(1, 1);
        grey16[0, 0] = new L16(65535);
        using var greyStream = new MemoryStream();
        grey16.SaveAsPng(greyStream);
        ImageBatch grey = SafePngLoader.Decode(greyStream.ToArray());
        grey.Channels.Should().Be(1);
        grey.Pixels.Should().Equal(1f);
    }
}
