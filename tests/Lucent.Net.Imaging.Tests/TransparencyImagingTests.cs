using Lucent.Net.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Lucent.Net.Imaging.Tests;

/// <summary>RGBA images: PNG export with alpha, alpha-keeping decode, and checkerboard display in figures and reports.</summary>
public class TransparencyImagingTests
{
    [Fact]
    public void Rgba_png_round_trip_is_exact_and_written_as_colour_type_6()
    {
        ImageBatch batch = TestImages.Gradient(2, 7, 9, 4);
        byte[] png = batch.ToPngBytes(1);

        png[25].Should().Be(6, "colour type 6 is RGBA");
        ImageBatch decoded = SafePngLoader.DecodeRgba(png);
        decoded.Channels.Should().Be(4);
        decoded.Width.Should().Be(9);
        decoded.Height.Should().Be(7);
        decoded.Pixels.Should().Equal(batch.Select(1).Pixels);

        // The plain decoder keeps its contract: alpha dropped, RGB kept.
        ImageBatch rgb = SafePngLoader.Decode(png);
        rgb.Channels.Should().Be(3);
        rgb[0, 3, 4, 2].Should().Be(decoded[0, 3, 4, 2]);
    }

    [Fact]
    public void Rgba_png_holds_straight_alpha_levels()
    {
        var batch = new ImageBatch([0.2f, 0.4f, 0.6f, 0.5f, 1f, 0f, 0f, 0f], 1, 1, 2, 4);
        using Image<Rgba32> image = Image.Load<Rgba32>(batch.ToPngBytes());
        image[0, 0].Should().Be(new Rgba32(51, 102, 153, 128));
        image[1, 0].Should().Be(new Rgba32(255, 0, 0, 0), "colour is kept under zero alpha (not premultiplied)");
    }

    [Fact]
    public void Rgba_strips_and_files_are_written_and_loaded_with_alpha()
    {
        using var folder = new TempFolder();
        string path = folder.File("rgba/strip.png");
        ImageBatch batch = TestImages.Gradient(3, 4, 5, 4);
        batch.SavePngStrip(path);

        ImageBatch loaded = SafePngLoader.LoadRgba(path);
        loaded.Width.Should().Be(15);
        loaded.Channels.Should().Be(4);
        loaded[0, 2, 7, 3].Should().Be(batch[1, 2, 2, 3]);
    }

    [Fact]
    public void Decoding_with_alpha_gives_opaque_rgba_for_grey_and_rgb_files()
    {
        ImageBatch grey = SafePngLoader.DecodeRgba(TestImages.Constant(2, 3, 1, 0.4f).ToPngBytes());
        grey.Channels.Should().Be(4);
        grey[0, 1, 2, 0].Should().Be(PixelQuantization.ToFloat(102));
        grey[0, 1, 2, 2].Should().Be(PixelQuantization.ToFloat(102));
        grey[0, 1, 2, 3].Should().Be(1f);

        ImageBatch rgb = SafePngLoader.DecodeRgba(TestImages.Gradient(1, 2, 2, 3).ToPngBytes());
        rgb.Pixels.Where((_, i) => i % 4 == 3).Should().OnlyContain(a => a == 1f);
    }

    [Fact]
    public void Checkerboard_has_lucids_levels_in_squares_from_the_top_left()
    {
        Checkerboard.Level(0, 0).Should().Be(0.95f);
        Checkerboard.Level(7, 7).Should().Be(0.95f);
        Checkerboard.Level(8, 0).Should().Be(0.6f);
        Checkerboard.Level(0, 8).Should().Be(0.6f);
        Checkerboard.Level(8, 8).Should().Be(0.95f);
        Checkerboard.Level(3, 0, squareSize: 2).Should().Be(0.6f);
        Checkerboard.Level(3, 2, squareSize: 2).Should().Be(0.95f);
        Checkerboard.Over(0.2f, 0.25f, 0.6f).Should().BeApproximately((0.25f * 0.2f) + (0.75f * 0.6f), 1e-7f);
        Checkerboard.Over(0.2f, float.NaN, 0.6f).Should().Be(0.6f);
        Checkerboard.Over(0.2f, 2f, 0.6f).Should().Be(0.2f);
    }

    [Fact]
    public void Transparent_cells_of_a_figure_show_a_checkerboard_and_opaque_pixels_their_colour()
    {
        // 16x16 RGBA: fully transparent red, except an opaque blue pixel at (1, 1) and a half-transparent green one at (9, 0).
        var pixels = new float[16 * 16 * 4];
        for (int i = 0; i < 16 * 16; i++)
        {
            pixels[i * 4] = 1f;
        }

        void Set(int x, int y, float r, float g, float b, float a)
        {
            int o = ((y * 16) + x) * 4;
            (pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3]) = (r, g, b, a);
        }

        Set(1, 1, 0f, 0f, 1f, 1f);
        Set(9, 0, 0f, 1f, 0f, 0.5f);
        var figure = FigureGrid.Compose([new FigureCell(new ImageBatch(pixels, 1, 16, 16, 4))], new FigureGridOptions { Margin = 2 });

        figure.Channels.Should().Be(3);
        float Pixel(int x, int y, int c) => figure[0, y + 2, x + 2, c];
        for (int c = 0; c < 3; c++)
        {
            Pixel(0, 0, c).Should().Be(0.95f, "a transparent pixel in a light square");
            Pixel(8, 1, c).Should().Be(0.6f, "a transparent pixel in a dark square");
            Pixel(15, 15, c).Should().Be(0.95f);
            Pixel(3, 12, c).Should().Be(0.6f);
        }

        Pixel(1, 1, 0).Should().Be(0f);
        Pixel(1, 1, 2).Should().Be(1f);
        Pixel(9, 0, 0).Should().BeApproximately(0.3f, 1e-6f);
        Pixel(9, 0, 1).Should().BeApproximately(0.8f, 1e-6f);
        figure[0, 0, 0, 0].Should().Be(1f, "the margin keeps the background colour");
    }

    [Fact]
    public void Checkerboard_composite_of_a_batch_matches_the_figure_cells()
    {
        ImageBatch rgba = TestImages.Gradient(2, 10, 12, 4);
        ImageBatch flat = Checkerboard.Composite(rgba, squareSize: 4);
        flat.Channels.Should().Be(3);
        flat.Batch.Should().Be(2);
        flat[1, 5, 6, 1].Should().Be(Checkerboard.Over(rgba[1, 5, 6, 1], rgba[1, 5, 6, 3], Checkerboard.Level(6, 5, 4)));

        var figure = FigureGrid.Compose([new FigureCell(rgba, Index: 1)], new FigureGridOptions { Margin = 0, CheckerboardSquareSize = 4 });
        for (int y = 0; y < 10; y++)
        {
            for (int x = 0; x < 12; x++)
            {
                figure[0, y, x, 2].Should().Be(flat[1, y, x, 2]);
            }
        }

        var wrong = () => Checkerboard.Composite(TestImages.Constant(2, 2, 3, 0f));
        wrong.Should().Throw<ArgumentException>().WithMessage("*RGBA images (4 channels)*3*");
        var grid = () => FigureGrid.Compose([new FigureCell(TestImages.Constant(2, 2, 2, 0f))]);
        grid.Should().Throw<ArgumentException>().WithMessage("*2 channels*1 (grey), 3 (RGB) or 4 (RGBA*");
    }

    [Fact]
    public void Html_report_draws_images_over_a_css_checkerboard()
    {
        var report = new HtmlReport("Transparency");
        report.AddSection("RGBA").AddFigure("images/rgba.png", "A transparent render");
        string html = report.ToHtml();

        html.Should().Contain("figure img,img.thumb{background-color:#f2f2f2;background-image:conic-gradient(#999 25%,transparent 0 50%,#999 0 75%,transparent 0);background-size:16px 16px}");
        html.Should().Contain("<img src=\"images/rgba.png\"");
    }
}
