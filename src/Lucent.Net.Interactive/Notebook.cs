using Lucent.Net.Activations;
using Lucent.Net.Images;
using Lucent.Net.Rendering;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;

namespace Lucent.Net.Interactive;

/// <summary>
/// Display helpers for notebook cells, after Lucent's <c>show</c> and <c>render_vis(show_inline=True)</c>: each shows
/// its value under the running cell as HTML (images as inline PNGs, curves as SVG) and returns the HTML it showed.
/// </summary>
public static class Notebook
{
    /// <summary>Shows images with their labels as a grid (Lucent's <c>show(images, labels)</c>).</summary>
    /// <param name="images">The images.</param>
    /// <param name="labels">One label per image, or null.</param>
    /// <param name="title">A heading, or null.</param>
    /// <param name="cellWidth">Display width of each image in CSS pixels.</param>
    /// <returns>The HTML shown.</returns>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static string Show(ImageBatch images, IEnumerable<string?>? labels = null, string? title = null, int cellWidth = NotebookHtml.DefaultCellWidth) =>
        Display(NotebookHtml.ImageGrid(images, labels?.ToList(), title, cellWidth));

    /// <summary>Shows several batches (one render per setting, say) as one grid, one label per image.</summary>
    /// <param name="images">The batches, shown in order.</param>
    /// <param name="labels">One label per image over all batches, or null.</param>
    /// <param name="title">A heading, or null.</param>
    /// <param name="cellWidth">Display width of each image in CSS pixels.</param>
    /// <returns>The HTML shown.</returns>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static string Show(IEnumerable<ImageBatch> images, IEnumerable<string?>? labels = null, string? title = null, int cellWidth = NotebookHtml.DefaultCellWidth)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Display(NotebookHtml.ImageGrid(images.ToList(), labels?.ToList(), title, cellWidth));
    }

    /// <summary>Shows a render: its final images with labels, the loss curve and a line of facts (Lucent's <c>show_inline</c>).</summary>
    /// <param name="result">The render.</param>
    /// <param name="labels">One label per image, or null.</param>
    /// <param name="title">A heading, or null.</param>
    /// <param name="cellWidth">Display width of each image in CSS pixels.</param>
    /// <returns>The HTML shown.</returns>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static string ShowInline(RenderResult result, IEnumerable<string?>? labels = null, string? title = null, int cellWidth = NotebookHtml.DefaultCellWidth) =>
        Display(NotebookHtml.RenderResult(result, labels?.ToList(), title, cellWidth));

    /// <summary>Shows a loss (or objective) curve as an SVG line chart.</summary>
    /// <param name="losses">The value at each step.</param>
    /// <param name="title">A caption, or null for "loss".</param>
    /// <returns>The SVG shown.</returns>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static string ShowLossCurve(IReadOnlyList<double> losses, string? title = null) => Display(NotebookHtml.LossCurveSvg(losses, title));

    /// <summary>Shows a layer listing as a table.</summary>
    /// <param name="layers">The layers (from <see cref="ModelLayers.Describe"/>).</param>
    /// <returns>The HTML shown.</returns>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static string ShowLayers(IEnumerable<LayerInfo> layers) => Display(NotebookHtml.LayerTable(layers));

    /// <summary>A live progress line under the running cell, to pass to a render as its progress.</summary>
    /// <param name="label">What is rendering, or null.</param>
    /// <returns>The progress; it displays on its first report.</returns>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static NotebookProgress Progress(string? label = null) => new(label);

    private static string Display(string html)
    {
        var context = KernelInvocationContext.Current
            ?? throw new InvalidOperationException("Nothing to show it in: call Show inside a running .NET Interactive notebook cell (or use NotebookHtml to get the HTML).");
        context.Display(new HtmlString(html), LucentFormatters.MimeType);
        return html;
    }
}
