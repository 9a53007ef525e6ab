using System.Globalization;
using System.Text;
using Lucent.Net.Activations;
using Lucent.Net.Images;
using Lucent.Net.Imaging;
using Lucent.Net.Rendering;

namespace Lucent.Net.Interactive;

/// <summary>
/// The HTML and SVG that notebooks show for Lucent.Net values: pure functions of their inputs (no kernel, no files),
/// so they can be tested and used anywhere. Images are embedded as PNG <c>data:</c> URIs; every label, title and layer
/// name is HTML-escaped; RGBA images are drawn over a checkerboard so transparency shows.
/// </summary>
public static class NotebookHtml
{
    /// <summary>Width in CSS pixels at which each image of a grid is shown unless asked otherwise.</summary>
    public const int DefaultCellWidth = 160;

    /// <summary>The most images one grid embeds; the rest are counted in a note (bounds a cell's output size).</summary>
    public const int MaxImages = 256;

    /// <summary>The most points a loss curve draws; longer curves are thinned evenly (the last point is always kept).</summary>
    public const int MaxCurvePoints = 512;

    /// <summary>The most rows a layer table shows; the rest are counted in a note.</summary>
    public const int MaxTableRows = 2000;

    /// <summary>The PNG of one image of a batch as a <c>data:image/png;base64,</c> URI (RGBA images over a checkerboard).</summary>
    /// <param name="images">The batch (3 channels, or 4 with alpha).</param>
    /// <param name="index">Which image (0-based).</param>
    /// <returns>The URI.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an image of the batch.</exception>
    public static string PngDataUri(ImageBatch images, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (index < 0 || index >= images.Batch)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch has {images.Batch} image(s); ask for an index from 0 to {images.Batch - 1}.");
        }

        var one = images.Select(index);
        if (one.Channels == 4)
        {
            one = Checkerboard.Composite(one);
        }

        return "data:image/png;base64," + Convert.ToBase64String(one.ToPngBytes());
    }

    /// <summary>An image grid: every image of the batch, each with its label under it (Lucent's <c>show(images, labels)</c>).</summary>
    /// <param name="images">The images.</param>
    /// <param name="labels">One label per image (fewer: the rest get none; more is an error); plain text, escaped.</param>
    /// <param name="title">A heading above the grid; plain text, escaped; null for none.</param>
    /// <param name="cellWidth">Display width of each image in CSS pixels (8 to 2048).</param>
    /// <returns>An HTML fragment.</returns>
    /// <exception cref="ArgumentException">More labels than images.</exception>
    public static string ImageGrid(ImageBatch images, IReadOnlyList<string?>? labels = null, string? title = null, int cellWidth = DefaultCellWidth)
    {
        ArgumentNullException.ThrowIfNull(images);
        return ImageGrid([images], labels, title, cellWidth);
    }

    /// <summary>
    /// An image grid of several batches (for example one render per setting): the images of all batches in order,
    /// each with its label under it.
    /// </summary>
    /// <param name="batches">The batches; their images are shown in order.</param>
    /// <param name="labels">One label per image over all batches (fewer: the rest get none; more is an error); plain text, escaped.</param>
    /// <param name="title">A heading above the grid; plain text, escaped; null for none.</param>
    /// <param name="cellWidth">Display width of each image in CSS pixels (8 to 2048).</param>
    /// <returns>An HTML fragment.</returns>
    /// <exception cref="ArgumentException">More labels than images, or a null batch.</exception>
    public static string ImageGrid(IReadOnlyList<ImageBatch> batches, IReadOnlyList<string?>? labels = null, string? title = null, int cellWidth = DefaultCellWidth)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellWidth, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cellWidth, 2048);
        if (batches.Any(b => b is null))
        {
            throw new ArgumentException("A batch in the list is null; pass only rendered batches.", nameof(batches));
        }

        long total = batches.Sum(b => (long)b.Batch);
        if (labels is not null && labels.Count > total)
        {
            throw new ArgumentException($"{labels.Count} labels were given for {total} image(s); give at most one label per image.", nameof(labels));
        }

        var html = new StringBuilder();
        html.Append("<div class=\"lucent-grid\">");
        if (title is not null)
        {
            html.Append("<div style=\"font-weight:bold;margin:4px 0\">").Append(HtmlText.Escape(title)).Append("</div>");
        }

        html.Append("<div style=\"display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start\">");
        int shown = 0;
        foreach (var batch in batches)
        {
            for (int i = 0; i < batch.Batch && shown < MaxImages; i++, shown++)
            {
                string? label = labels is not null && shown < labels.Count ? labels[shown] : null;
                string alt = label ?? $"image {shown}";
                html.Append("<figure style=\"margin:0;width:").Append(cellWidth.ToString(CultureInfo.InvariantCulture)).Append("px\">")
                    .Append("<img src=\"").Append(PngDataUri(batch, i)).Append("\" alt=\"").Append(HtmlText.Escape(alt))
                    .Append("\" width=\"").Append(cellWidth.ToString(CultureInfo.InvariantCulture))
                    .Append("\" style=\"image-rendering:pixelated;display:block\">");
                if (label is not null)
                {
                    html.Append("<figcaption style=\"font-size:12px;text-align:center;overflow-wrap:anywhere\">").Append(HtmlText.Escape(label)).Append("</figcaption>");
                }

                html.Append("</figure>");
            }
        }

        html.Append("</div>");
        if (total > shown)
        {
            html.Append("<div style=\"font-size:12px\">").Append((total - shown).ToString(CultureInfo.InvariantCulture)).Append(" more image(s) not shown (at most ")
                .Append(MaxImages.ToString(CultureInfo.InvariantCulture)).Append(" per grid).</div>");
        }

        html.Append("</div>");
        return html.ToString();
    }

    /// <summary>A loss curve as an inline SVG line chart, with the first and last values written beside it.</summary>
    /// <param name="losses">The loss at each step; non-finite values are left out of the line.</param>
    /// <param name="title">A caption; plain text, escaped; null for "loss".</param>
    /// <param name="width">Width in pixels (64 to 4096).</param>
    /// <param name="height">Height in pixels (32 to 4096).</param>
    /// <returns>An <c>&lt;svg&gt;</c> element.</returns>
    public static string LossCurveSvg(IReadOnlyList<double> losses, string? title = null, int width = 360, int height = 140)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 64);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 32);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 4096);
        string caption = title ?? "loss";
        var points = new List<(int Step, double Value)>();
        int stride = Math.Max(1, (int)Math.Ceiling(losses.Count / (double)MaxCurvePoints));
        for (int i = 0; i < losses.Count; i++)
        {
            if ((i % stride == 0 || i == losses.Count - 1) && double.IsFinite(losses[i]))
            {
                points.Add((i, losses[i]));
            }
        }

        const int Left = 8, Right = 8, Top = 20, Bottom = 18;
        var svg = new StringBuilder();
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lucent-curve\" width=\"").Append(Num(width)).Append("\" height=\"").Append(Num(height))
            .Append("\" viewBox=\"0 0 ").Append(Num(width)).Append(' ').Append(Num(height)).Append("\" role=\"img\" aria-label=\"").Append(HtmlText.Escape(caption)).Append("\">")
            .Append("<rect x=\"0\" y=\"0\" width=\"").Append(Num(width)).Append("\" height=\"").Append(Num(height)).Append("\" fill=\"#fff\" stroke=\"#ccc\"/>")
            .Append("<text x=\"").Append(Num(Left)).Append("\" y=\"14\" font-size=\"12\" font-family=\"sans-serif\">").Append(HtmlText.Escape(caption)).Append("</text>");
        if (points.Count == 0)
        {
            svg.Append("<text x=\"").Append(Num(Left)).Append("\" y=\"").Append(Num(height / 2)).Append("\" font-size=\"12\" font-family=\"sans-serif\" fill=\"#888\">no finite values</text>");
        }
        else
        {
            double min = points.Min(p => p.Value), max = points.Max(p => p.Value);
            double span = max - min > 0 ? max - min : 1;
            int lastStep = Math.Max(1, points[^1].Step);
            double plotWidth = width - Left - Right, plotHeight = height - Top - Bottom;
            svg.Append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
            for (int i = 0; i < points.Count; i++)
            {
                double x = Left + (points.Count == 1 ? plotWidth / 2 : plotWidth * points[i].Step / lastStep);
                double y = Top + plotHeight * (max - points[i].Value) / span;
                svg.Append(i == 0 ? string.Empty : " ").Append(x.ToString("0.#", CultureInfo.InvariantCulture)).Append(',').Append(y.ToString("0.#", CultureInfo.InvariantCulture));
            }

            svg.Append("\"/>")
                .Append("<text x=\"").Append(Num(Left)).Append("\" y=\"").Append(Num(height - 4)).Append("\" font-size=\"11\" font-family=\"sans-serif\" fill=\"#555\">step 1: ")
                .Append(Value(points[0].Value)).Append("</text>")
                .Append("<text x=\"").Append(Num(width - Right)).Append("\" y=\"").Append(Num(height - 4)).Append("\" text-anchor=\"end\" font-size=\"11\" font-family=\"sans-serif\" fill=\"#555\">step ")
                .Append(Num(points[^1].Step + 1)).Append(": ").Append(Value(points[^1].Value)).Append("</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// A render as the notebook shows it (Lucent's <c>show_inline</c>): the final images as a grid with labels, the
    /// loss curve, and one line of facts (steps, final loss, time, stop reason, warnings).
    /// </summary>
    /// <param name="result">The render.</param>
    /// <param name="labels">One label per image; null labels the images by index.</param>
    /// <param name="title">A heading; plain text, escaped; null for none.</param>
    /// <param name="cellWidth">Display width of each image in CSS pixels.</param>
    /// <returns>An HTML fragment.</returns>
    public static string RenderResult(RenderResult result, IReadOnlyList<string?>? labels = null, string? title = null, int cellWidth = DefaultCellWidth)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder("<div class=\"lucent-render\">");
        var images = result.FinalImages;
        if (images.Batch > 0)
        {
            html.Append(ImageGrid(images, labels, title, cellWidth));
        }
        else if (title is not null)
        {
            html.Append("<div style=\"font-weight:bold\">").Append(HtmlText.Escape(title)).Append("</div>");
        }

        html.Append(LossCurveSvg(result.Losses));
        html.Append("<div style=\"font-size:12px\">")
            .Append(HtmlText.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Losses.Count} step(s), loss {Value(result.InitialLoss)} -> {Value(result.FinalLoss)}, {result.Elapsed.TotalSeconds:0.0} s, seed {result.Seed}, {result.StopReason}")));
        if (result.StopMessage is not null)
        {
            html.Append(": ").Append(HtmlText.Escape(result.StopMessage));
        }

        html.Append("</div>");
        foreach (string warning in result.Warnings)
        {
            html.Append("<div style=\"font-size:12px;color:#a60\">warning: ").Append(HtmlText.Escape(warning)).Append("</div>");
        }

        html.Append("</div>");
        return html.ToString();
    }

    /// <summary>A layer listing (<see cref="ModelLayers.Describe"/>) as an HTML table: name, output shape, module type.</summary>
    /// <param name="layers">The layers.</param>
    /// <returns>An HTML <c>&lt;table&gt;</c> (and a note when rows were left out).</returns>
    public static string LayerTable(IEnumerable<LayerInfo> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var html = new StringBuilder("<table class=\"lucent-layers\"><thead><tr><th style=\"text-align:left\">#</th><th style=\"text-align:left\">layer</th><th style=\"text-align:left\">output shape</th><th style=\"text-align:left\">module</th></tr></thead><tbody>");
        int row = 0, skipped = 0;
        foreach (var layer in layers)
        {
            if (layer is null)
            {
                continue;
            }

            if (row >= MaxTableRows)
            {
                skipped++;
                continue;
            }

            html.Append("<tr><td>").Append(Num(row)).Append("</td><td><code>").Append(HtmlText.Escape(layer.Name)).Append("</code></td><td>")
                .Append(HtmlText.Escape(layer.FormatShape())).Append("</td><td>").Append(HtmlText.Escape(layer.ModuleType)).Append("</td></tr>");
            row++;
        }

        html.Append("</tbody></table>");
        if (skipped > 0)
        {
            html.Append("<div style=\"font-size:12px\">").Append(Num(skipped)).Append(" more layer(s) not shown.</div>");
        }

        return html.ToString();
    }

    /// <summary>One line of render progress: a progress bar, the step, the loss, elapsed time and time left.</summary>
    /// <param name="progress">The progress report.</param>
    /// <param name="label">What is rendering (plain text, escaped); null for none.</param>
    /// <returns>An HTML fragment.</returns>
    public static string ProgressLine(RenderProgress progress, string? label = null)
    {
        int total = Math.Max(progress.TotalSteps, 1);
        int step = Math.Clamp(progress.Step, 0, total);
        var html = new StringBuilder("<div class=\"lucent-progress\" style=\"font-family:monospace;font-size:12px\">");
        if (label is not null)
        {
            html.Append(HtmlText.Escape(label)).Append(' ');
        }

        html.Append("<progress max=\"").Append(Num(total)).Append("\" value=\"").Append(Num(step)).Append("\"></progress> ")
            .Append(HtmlText.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"step {progress.Step}/{progress.TotalSteps}, loss {Value(progress.Loss)}, {progress.Elapsed.TotalSeconds:0.0} s elapsed")));
        if (progress.Step < progress.TotalSteps)
        {
            html.Append(HtmlText.Escape(string.Create(CultureInfo.InvariantCulture, $", about {progress.EstimatedRemaining.TotalSeconds:0} s left")));
        }

        html.Append("</div>");
        return html.ToString();
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Value(double value) => double.IsFinite(value) ? value.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";
}
