using Lucent.Net.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Lucent.Net.Imaging.Tests;

public class PngExportTests
{
    [Theory]
    [InlineData(0f, 0)]
    [InlineData(1f, 255)]
    [InlineData(-0.5f, 0)]
    [InlineData(2f, 255)]
    [InlineData(float.NaN, 0)]
    [InlineData(0.5f, 128)]
    [InlineData(0.498f, 127)]
    [InlineData(1f / 255f, 1)]
    [InlineData(0.999f, 255)]
    [InlineData(0.997f, 254)]
    [InlineData(0.0019f, 0)]
    [InlineData(0.0020f, 1)]
    public void ToByte_clamps_and_rounds_x_times_255(float value, int expected)
    {
        PixelQuantization.ToByte(value).Should().Be((byte)expected);
    }

    [Fact]
    public void Every_level_round_trips_through_float()
    {
        for (int b = 0; b < 256; b++)
        {
            PixelQuantization.ToByte(PixelQuantization.ToFloat((byte)b)).Should().Be((byte)b);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Png_round_trip_is_exact(int channels)
    {
        ImageBatch batch = TestImages.Gradient(2, 7, 9, channels);
        byte[] png = batch.ToPngBytes(1);

        ImageBatch decoded = SafePngLoader.Decode(png);

        decoded.Batch.Should().Be(1);
        decoded.Channels.Should().Be(channels);
        decoded.Width.Should().Be(9);
        decoded.Height.Should().Be(7);
        decoded.Pixels.Should().Equal(batch.Select(1).Pixels);
    }

    [Fact]
    public void Png_holds_the_rounded_levels_in_the_expected_colour_type()
    {
        var batch = new ImageBatch([0.2f, 0.4f, 0.6f, -1f, 0.5f, 3f], 1, 1, 2, 3);
        byte[] png = batch.ToPngBytes();

        using Image<Rgb24> image = Image.Load<Rgb24>(png);
        image[0, 0].Should().Be(new Rgb24(51, 102, 153));
        image[1, 0].Should().Be(new Rgb24(0, 128, 255));
        Image.Identify(png).Metadata.GetPngMetadata().ColorType.Should().Be(SixLabors.ImageSharp.Formats.Png.PngColorType.Rgb);
        Image.Identify(TestImages.Gradient(1, 2, 2, 1).ToPngBytes()).Metadata.GetPngMetadata().ColorType
            .Should().Be(SixLabors.ImageSharp.Formats.Png.PngColorType.Grayscale);
    }

    [Fact]
    public void Encoding_is_deterministic()
    {
        ImageBatch batch = TestImages.Gradient(1, 16, 16, 3);
        batch.ToPngBytes().Should().Equal(batch.ToPngBytes());
    }

    [Fact]
    public void Strip_puts_images_side_by_side_in_batch_order()
    {
        ImageBatch batch = TestImages.Gradient(3, 5, 4, 3);
        ImageBatch strip = SafePngLoader.Decode(batch.ToPngStripBytes());

        strip.Width.Should().Be(12);
        strip.Height.Should().Be(5);
        for (int i = 0; i < 3; i++)
        {
            for (int y = 0; y < 5; y++)
            {
                for (int x = 0; x < 4; x++)
                {
                    for (int c = 0; c < 3; c++)
                    {
                        strip[0, y, (i * 4) + x, c].Should().Be(batch[i, y, x, c]);
                    }
                }
            }
        }
    }

    [Fact]
    public void SavePng_and_SavePngStrip_write_files_that_overwrite_cleanly()
    {
        using var folder = new TempFolder();
        string path = folder.File("sub/image.png");
        ImageBatch first = TestImages.Gradient(2, 6, 6, 3);
        ImageBatch second = TestImages.Constant(3, 3, 1, 0.25f);

        first.SavePngStrip(path);
        SafePngLoader.Load(path).Width.Should().Be(12);
        second.SavePng(path);

        File.ReadAllBytes(path).Should().Equal(second.ToPngBytes());
        Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories).Should().ContainSingle();
    }

    [Fact]
    public void Unsupported_channel_counts_and_indices_are_rejected()
    {
        var act = () => TestImages.Gradient(1, 2, 2, 2).ToPngBytes();
        act.Should().Throw<ArgumentException>().WithMessage("*1 channel (grey), 3 channels (RGB) or 4 channels (RGBA)*2*");
        var index = () => TestImages.Gradient(2, 2, 2, 3).ToPngBytes(2);
        index.Should().Throw<ArgumentOutOfRangeException>();
    }
}
