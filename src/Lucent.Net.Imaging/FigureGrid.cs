using Lucent.Net.Images;

namespace Lucent.Net.Imaging;

/// <summary>How images are resampled when they are fitted into a grid cell of a different size.</summary>
public enum ResizeMode
{
    /// <summary>Nearest neighbour: sharp pixels, best for small renderings shown enlarged.</summary>
    Nearest,

    /// <summary>Bilinear interpolation between the four nearest source pixels (pixel centres aligned).</summary>
    Bilinear,
}

/// <summary>One cell of a <see cref="FigureGrid"/>: an image of a batch and its caption.</summary>
/// <param name="Image">The batch holding the image (1, 3 or 4 channels; 4 is RGBA, shown over a checkerboard).</param>
/// <param name="Caption">Text drawn under the image; <see langword="null"/> or empty for none.</param>
/// <param name="Index">Which image of <paramref name="Image"/>, from 0.</param>
public sealed record FigureCell(ImageBatch Image, string? Caption = null, int Index = 0);

/// <summary>Layout options for <see cref="FigureGrid"/>.</summary>
public sealed class FigureGridOptions
{
    /// <summary>Number of rows; 0 to derive it from <see cref="Columns"/> and the cell count (one row when both are 0).</summary>
    public int Rows { get; init; }

    /// <summary>Number of columns; 0 to derive it from <see cref="Rows"/> and the cell count.</summary>
    public int Columns { get; init; }

    /// <summary>Width of the image area of each cell in pixels; 0 for the widest image.</summary>
    public int CellWidth { get; init; }

    /// <summary>Height of the image area of each cell in pixels; 0 for the tallest image.</summary>
    public int CellHeight { get; init; }

    /// <summary>Space in pixels around the figure and between cells (default 8).</summary>
    public int Margin { get; init; } = 8;

    /// <summary>Overall title drawn above the grid, wrapped to the figure width; <see langword="null"/> for none.</summary>
    public string? Title { get; init; }

    /// <summary>Scale of the title font (default 2: 10x14-pixel glyphs).</summary>
    public int TitleScale { get; init; } = 2;

    /// <summary>Scale of the caption font (default 1: 5x7-pixel glyphs).</summary>
    public int CaptionScale { get; init; } = 1;

    /// <summary>How images of another size are fitted into the cell (default <see cref="ResizeMode.Nearest"/>).</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Nearest;

    /// <summary>Background colour (default white).</summary>
    public RgbColor Background { get; init; } = RgbColor.White;

    /// <summary>Text colour (default black).</summary>
    public RgbColor TextColor { get; init; } = RgbColor.Black;

    /// <summary>Side in pixels of the checkerboard squares that transparent (RGBA) images are shown over (default 8); see <see cref="Checkerboard"/>.</summary>
    public int CheckerboardSquareSize { get; init; } = Checkerboard.DefaultSquareSize;
}

/// <summary>
/// Composes labelled figures: N images laid out in rows x columns with margins, a caption under each cell and an
/// overall title, drawn with <see cref="BitmapFont"/>. The result is an RGB <see cref="ImageBatch"/> of one image,
/// which can be saved with <see cref="ImageBatchPngExtensions"/> or compared with a snapshot.
/// </summary>
/// <remarks>
/// Every image is scaled to fit the cell (<see cref="FigureGridOptions.CellWidth"/> x
/// <see cref="FigureGridOptions.CellHeight"/>) keeping its aspect ratio, and centred; grey images are shown as grey
/// RGB, and RGBA images (4 channels) over a grey <see cref="Checkerboard"/> that starts at the image's top-left
/// corner, after scaling. Cells are filled row by row; unused cells stay background. Layout from the top: margin, title lines,
/// margin, then per row the images, a gap of half a margin, the caption lines (as many as the row's longest
/// caption needs) and a margin.
/// </remarks>
public static class FigureGrid
{
    /// <summary>Composes the figure.</summary>
    /// <param name="cells">The images with their captions, in row-major order.</param>
    /// <param name="options">Layout; defaults when <see langword="null"/>.</param>
    /// <returns>A new RGB batch of one image holding the figure.</returns>
    public static ImageBatch Compose(IReadOnlyList<FigureCell> cells, FigureGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        options ??= new FigureGridOptions();
        if (cells.Count == 0)
        {
            throw new ArgumentException("A figure needs at least one cell.", nameof(cells));
        }

        for (int i = 0; i < cells.Count; i++)
        {
            FigureCell cell = cells[i] ?? throw new ArgumentException($"Cell {i} is null.", nameof(cells));
            ArgumentNullException.ThrowIfNull(cell.Image, $"{nameof(cells)}[{i}].{nameof(FigureCell.Image)}");
            if (cell.Image.Channels is not (1 or 3 or 4))
            {
                throw new ArgumentException(
                    $"Cell {i} has {cell.Image.Channels} channels; a figure shows 1 (grey), 3 (RGB) or 4 (RGBA, over a checkerboard).",
                    nameof(cells));
            }
            if (cell.Index < 0 || cell.Index >= cell.Image.Batch)
            {
                throw new ArgumentException($"Cell {i} asks for image {cell.Index} of a batch of {cell.Image.Batch}.", nameof(cells));
            }
        }

        (int rows, int columns) = ResolveShape(cells.Count, options.Rows, options.Columns);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Margin, nameof(options.Margin));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TitleScale, 1, nameof(options.TitleScale));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CaptionScale, 1, nameof(options.CaptionScale));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CellWidth, nameof(options.CellWidth));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CellHeight, nameof(options.CellHeight));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CheckerboardSquareSize, 1, nameof(options.CheckerboardSquareSize));

        int cellWidth = options.CellWidth > 0 ? options.CellWidth : cells.Max(c => c.Image.Width);
        int cellHeight = options.CellHeight > 0 ? options.CellHeight : cells.Max(c => c.Image.Height);
        int margin = options.Margin;
        int width = margin + (columns * (cellWidth + margin));

        IReadOnlyList<string> titleLines = string.IsNullOrWhiteSpace(options.Title)
            ? []
            : BitmapFont.Wrap(options.Title, options.TitleScale, Math.Max(1, width - (2 * margin)));
        int titleHeight = titleLines.Count == 0 ? 0 : BitmapFont.MeasureHeight(titleLines.Count, options.TitleScale) + margin;

        var captions = new IReadOnlyList<string>[cells.Count];
        var rowCaptionHeight = new int[rows];
        for (int i = 0; i < cells.Count; i++)
        {
            captions[i] = string.IsNullOrWhiteSpace(cells[i].Caption)
                ? []
                : BitmapFont.Wrap(cells[i].Caption!, options.CaptionScale, cellWidth);
            int h = captions[i].Count == 0 ? 0 : (margin / 2) + BitmapFont.MeasureHeight(captions[i].Count, options.CaptionScale);
            rowCaptionHeight[i / columns] = Math.Max(rowCaptionHeight[i / columns], h);
        }

        int height = margin + titleHeight + rowCaptionHeight.Sum() + (rows * (cellHeight + margin));
        var pixels = new float[(long)width * height * 3];
        Fill(pixels, options.Background);

        int y = margin;
        foreach (string line in titleLines)
        {
            int lineWidth = BitmapFont.MeasureWidth(line, options.TitleScale);
            BitmapFont.DrawText(pixels, width, height, 3, line, (width - lineWidth) / 2, y, options.TitleScale, options.TextColor);
            y += BitmapFont.LineAdvance * options.TitleScale;
        }

        y = margin + titleHeight;
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                int i = (row * columns) + column;
                if (i >= cells.Count)
                {
                    break;
                }

                int x = margin + (column * (cellWidth + margin));
                DrawFitted(pixels, width, cells[i].Image, cells[i].Index, x, y, cellWidth, cellHeight, options.Resize, options.CheckerboardSquareSize);
                int captionY = y + cellHeight + (margin / 2);
                foreach (string line in captions[i])
                {
                    int lineWidth = BitmapFont.MeasureWidth(line, options.CaptionScale);
                    BitmapFont.DrawText(pixels, width, height, 3, line, x + ((cellWidth - lineWidth) / 2), captionY, options.CaptionScale, options.TextColor);
                    captionY += BitmapFont.LineAdvance * options.CaptionScale;
                }
            }

            y += cellHeight + rowCaptionHeight[row] + margin;
        }

        return new ImageBatch(pixels, 1, height, width, 3);
    }

    /// <summary>Composes the figure and encodes it as PNG.</summary>
    /// <param name="cells">The images with their captions, in row-major order.</param>
    /// <param name="options">Layout; defaults when <see langword="null"/>.</param>
    /// <returns>The PNG file content.</returns>
    public static byte[] ToPngBytes(IReadOnlyList<FigureCell> cells, FigureGridOptions? options = null) =>
        Compose(cells, options).ToPngBytes();

    /// <summary>Composes the figure and writes it as a PNG file, atomically.</summary>
    /// <param name="path">Destination file; its folder is created if needed and an existing file is replaced.</param>
    /// <param name="cells">The images with their captions, in row-major order.</param>
    /// <param name="options">Layout; defaults when <see langword="null"/>.</param>
    public static void SavePng(string path, IReadOnlyList<FigureCell> cells, FigureGridOptions? options = null) =>
        Compose(cells, options).SavePng(path);

    /// <summary>
    /// Resizes image <paramref name="index"/> of <paramref name="image"/> to exactly
    /// <paramref name="width"/> x <paramref name="height"/> (no aspect-ratio correction).
    /// </summary>
    /// <param name="image">The source batch.</param>
    /// <param name="width">New width in pixels.</param>
    /// <param name="height">New height in pixels.</param>
    /// <param name="mode">Resampling.</param>
    /// <param name="index">Which image, from 0.</param>
    /// <returns>A new batch of one image with the same channel count.</returns>
    public static ImageBatch Resize(ImageBatch image, int width, int height, ResizeMode mode, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, image.Batch);
        int channels = image.Channels;
        var pixels = new float[(long)width * height * channels];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                long to = (((long)y * width) + x) * channels;
                for (int c = 0; c < channels; c++)
                {
                    pixels[to + c] = Sample(image, index, x, y, width, height, c, mode);
                }
            }
        }

        return new ImageBatch(pixels, 1, height, width, channels);
    }

    private static (int Rows, int Columns) ResolveShape(int count, int rows, int columns)
    {
        if (rows < 0 || columns < 0)
        {
            throw new ArgumentException($"Rows and Columns must not be negative (got {rows} x {columns}).");
        }

        if (rows == 0 && columns == 0)
        {
            return (1, count);
        }

        if (rows == 0)
        {
            return ((count + columns - 1) / columns, columns);
        }

        if (columns == 0)
        {
            return (rows, (count + rows - 1) / rows);
        }

        if ((long)rows * columns < count)
        {
            throw new ArgumentException(
                $"A grid of {rows} x {columns} has {rows * columns} cells, too few for {count} images. " +
                "Raise Rows or Columns, or set one of them to 0 to derive it.");
        }

        return (rows, columns);
    }

    private static void Fill(float[] pixels, RgbColor color)
    {
        float r = color.R / 255f, g = color.G / 255f, b = color.B / 255f;
        for (long i = 0; i < pixels.LongLength; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }
    }

    private static void DrawFitted(float[] canvas, int canvasWidth, ImageBatch image, int index, int left, int top, int cellWidth, int cellHeight, ResizeMode mode, int squareSize)
    {
        // Fit inside the cell keeping the aspect ratio, then centre.
        double scale = Math.Min((double)cellWidth / image.Width, (double)cellHeight / image.Height);
        int w = Math.Clamp((int)Math.Round(image.Width * scale), 1, cellWidth);
        int h = Math.Clamp((int)Math.Round(image.Height * scale), 1, cellHeight);
        int x0 = left + ((cellWidth - w) / 2);
        int y0 = top + ((cellHeight - h) / 2);
        bool grey = image.Channels == 1;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                long to = ((((long)y0 + y) * canvasWidth) + x0 + x) * 3;
                if (image.Channels == 4)
                {
                    float alpha = Sample(image, index, x, y, w, h, 3, mode);
                    float level = Checkerboard.Level(x, y, squareSize);
                    for (int c = 0; c < 3; c++)
                    {
                        canvas[to + c] = Checkerboard.Over(Sample(image, index, x, y, w, h, c, mode), alpha, level);
                    }

                    continue;
                }

                for (int c = 0; c < 3; c++)
                {
                    canvas[to + c] = Sample(image, index, x, y, w, h, grey ? 0 : c, mode);
                }
            }
        }
    }

    private static float Sample(ImageBatch image, int index, int x, int y, int width, int height, int channel, ResizeMode mode)
    {
        if (width == image.Width && height == image.Height)
        {
            return image[index, y, x, channel];
        }

        double sx = ((x + 0.5) * image.Width / width) - 0.5;
        double sy = ((y + 0.5) * image.Height / height) - 0.5;
        if (mode == ResizeMode.Nearest)
        {
            int nx = Math.Clamp((int)Math.Floor(sx + 0.5), 0, image.Width - 1);
            int ny = Math.Clamp((int)Math.Floor(sy + 0.5), 0, image.Height - 1);
            return image[index, ny, nx, channel];
        }

        sx = Math.Clamp(sx, 0, image.Width - 1);
        sy = Math.Clamp(sy, 0, image.Height - 1);
        int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
        int x1 = Math.Min(x0 + 1, image.Width - 1), y1 = Math.Min(y0 + 1, image.Height - 1);
        double fx = sx - x0, fy = sy - y0;
        double top = (image[index, y0, x0, channel] * (1 - fx)) + (image[index, y0, x1, channel] * fx);
        double bottom = (image[index, y1, x0, channel] * (1 - fx)) + (image[index, y1, x1, channel] * fx);
        return (float)((top * (1 - fy)) + (bottom * fy));
    }
}
