using Lucent.Net.Images;

namespace Lucent.Net.Imaging.Tests;

public class FigureGridTests
{
    private static FigureCell[] Cells(int count, int size = 16, string? caption = "ch") =>
        Enumerable.Range(0, count).Select(i => new FigureCell(TestImages.Constant(size, size, 3, i / 10f), caption is null ? null : $"{caption} {i}")).ToArray();

    [Theory]
    [InlineData(10, 2, 5)]
    [InlineData(4, 1, 4)]
    [InlineData(3, 1, 3)]
    public void Tutorial_layouts_have_the_expected_size(int count, int rows, int columns)
    {
        var options = new FigureGridOptions { Rows = rows, Columns = columns, Margin = 8, Title = "Part", CellWidth = 32, CellHeight = 32 };

        ImageBatch figure = FigureGrid.Compose(Cells(count), options);

        int captionHeight = (8 / 2) + BitmapFont.MeasureHeight(1, 1);
        int titleHeight = BitmapFont.MeasureHeight(1, 2) + 8;
        figure.Channels.Should().Be(3);
        figure.Width.Should().Be(8 + (columns * (32 + 8)));
        figure.Height.Should().Be(8 + titleHeight + (rows * (32 + captionHeight + 8)));
    }

    [Fact]
    public void Cells_are_placed_row_by_row_with_margins()
    {
        var red = new ImageBatch(Enumerable.Repeat(new[] { 1f, 0f, 0f }, 4).SelectMany(v => v).ToArray(), 1, 2, 2, 3);
        var blue = new ImageBatch(Enumerable.Repeat(new[] { 0f, 0f, 1f }, 4).SelectMany(v => v).ToArray(), 1, 2, 2, 3);
        var options = new FigureGridOptions { Rows = 2, Columns = 2, Margin = 1 };

        ImageBatch figure = FigureGrid.Compose([new FigureCell(red), new FigureCell(blue), new FigureCell(blue)], options);

        figure.Width.Should().Be(7);
        figure.Height.Should().Be(7);
        figure[0, 1, 1, 0].Should().Be(1f); // red at (1, 1)
        figure[0, 1, 4, 2].Should().Be(1f); // blue at (4, 1)
        figure[0, 4, 1, 2].Should().Be(1f); // blue at (1, 4): second row
        figure[0, 4, 4, 0].Should().Be(1f); // fourth cell unused: white
        figure[0, 4, 4, 1].Should().Be(1f);
        figure[0, 0, 0, 1].Should().Be(1f); // margin: white
    }

    [Fact]
    public void Images_of_other_sizes_are_fitted_into_the_cell_keeping_aspect_ratio()
    {
        ImageBatch small = TestImages.Constant(4, 4, 1, 0f);   // grey, upscaled to 8x8
        ImageBatch wide = TestImages.Constant(4, 8, 3, 0f);    // 8x4: letterboxed in 8x8
        var options = new FigureGridOptions { Columns = 2, Margin = 0, CellWidth = 8, CellHeight = 8 };

        ImageBatch figure = FigureGrid.Compose([new FigureCell(small), new FigureCell(wide)], options);

        figure.Width.Should().Be(16);
        figure.Height.Should().Be(8);
        TestImages.CountNot(figure, 1f, 1f, 1f).Should().Be(64 + 32);
        figure[0, 1, 12, 0].Should().Be(1f);  // above the letterboxed image
        figure[0, 2, 12, 0].Should().Be(0f);  // inside it (rows 2..5)
        figure[0, 6, 12, 0].Should().Be(1f);  // below it
    }

    [Theory]
    [InlineData(ResizeMode.Nearest)]
    [InlineData(ResizeMode.Bilinear)]
    public void Resize_keeps_constant_images_constant_and_doubles_pixels_with_nearest(ResizeMode mode)
    {
        ImageBatch constant = FigureGrid.Resize(TestImages.Constant(3, 5, 3, 0.3f), 11, 7, mode);
        constant.Pixels.Should().OnlyContain(v => Math.Abs(v - 0.3f) < 1e-6f);

        var source = new ImageBatch([0f, 1f], 1, 1, 2, 1);
        ImageBatch doubled = FigureGrid.Resize(source, 4, 1, mode);
        if (mode == ResizeMode.Nearest)
        {
            doubled.Pixels.Should().Equal(0f, 0f, 1f, 1f);
        }
        else
        {
            doubled.Pixels.Should().Equal(0f, 0.25f, 0.75f, 1f);
        }
    }

    [Fact]
    public void Title_and_captions_draw_text_pixels()
    {
        var plain = new FigureGridOptions { Columns = 2, Margin = 8 };
        var titled = new FigureGridOptions { Columns = 2, Margin = 8, Title = "Feature visualisation" };
        FigureCell[] noCaptions = Cells(2, caption: null);
        FigureCell[] captions = Cells(2, size: 64, caption: "mixed4a:476");

        ImageBatch bare = FigureGrid.Compose(noCaptions, plain);
        ImageBatch withTitle = FigureGrid.Compose(noCaptions, titled);
        ImageBatch withCaptions = FigureGrid.Compose(captions, plain);

        withTitle.Height.Should().BeGreaterThan(bare.Height);
        int titleBand = withTitle.Height - bare.Height;
        int titleInk = 0;
        for (int y = 0; y < titleBand; y++)
        {
            for (int x = 0; x < withTitle.Width; x++)
            {
                titleInk += withTitle[0, y, x, 0] == 0f ? 1 : 0;
            }
        }

        titleInk.Should().BeGreaterThan(50);
        int captionInk = 0;
        for (int y = 8 + 64; y < withCaptions.Height; y++)
        {
            for (int x = 0; x < withCaptions.Width; x++)
            {
                captionInk += withCaptions[0, y, x, 0] == 0f ? 1 : 0;
            }
        }

        captionInk.Should().BeGreaterThan(40);
    }

    [Fact]
    public void Too_small_grids_and_bad_cells_are_rejected_clearly()
    {
        var act = () => FigureGrid.Compose(Cells(5), new FigureGridOptions { Rows = 2, Columns = 2 });
        act.Should().Throw<ArgumentException>().WithMessage("*2 x 2*4 cells*5 images*");
        var empty = () => FigureGrid.Compose([]);
        empty.Should().Throw<ArgumentException>();
        var index = () => FigureGrid.Compose([new FigureCell(TestImages.Constant(2, 2, 3, 0f), Index: 1)]);
        index.Should().Throw<ArgumentException>().WithMessage("*image 1 of a batch of 1*");
    }

    [Fact]
    public void SavePng_writes_the_composed_figure()
    {
        using var folder = new TempFolder();
        var options = new FigureGridOptions { Rows = 1, Columns = 3, Title = "Part 3" };
        FigureGrid.SavePng(folder.File("part3.png"), Cells(3), options);

        ImageBatch saved = SafePngLoader.Load(folder.File("part3.png"));
        saved.Pixels.Should().Equal(FigureGrid.Compose(Cells(3), options).Pixels.Select(v => PixelQuantization.ToFloat(PixelQuantization.ToByte(v))));
        File.ReadAllBytes(folder.File("part3.png")).Should().Equal(FigureGrid.ToPngBytes(Cells(3), options));
    }
}
