using Lucent.Net.Activations;
using Lucent.Net.Images;
using Lucent.Net.Rendering;
using Microsoft.DotNet.Interactive.Formatting;

namespace Lucent.Net.Interactive;

/// <summary>
/// Registers the notebook display of Lucent.Net's values with .NET Interactive's <see cref="Formatter"/>: an
/// <see cref="ImageBatch"/> and a <see cref="Rendering.RenderResult"/> as image grids (PNG data URIs), a
/// <see cref="RenderProgress"/> as a progress line, and layer listings (<see cref="LayerInfo"/> sequences) as a table.
/// The kernel calls <see cref="Register"/> when the package is referenced (through <see cref="LucentKernelExtension"/>);
/// call it yourself in other hosts.
/// </summary>
public static class LucentFormatters
{
    private static readonly object Gate = new();

    /// <summary>The MIME type of every Lucent.Net display.</summary>
    public const string MimeType = HtmlFormatter.MimeType;

    /// <summary>Registers the formatters and makes HTML the preferred display of these types. Safe to call more than once.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            Formatter.Register<ImageBatch>((images, writer) => writer.Write(NotebookHtml.ImageGrid(images)), MimeType);
            Formatter.Register<RenderResult>((result, writer) => writer.Write(NotebookHtml.RenderResult(result)), MimeType);
            Formatter.Register<RenderProgress>((progress, writer) => writer.Write(NotebookHtml.ProgressLine(progress)), MimeType);
            Formatter.Register<LayerInfo>((layer, writer) => writer.Write(NotebookHtml.LayerTable([layer])), MimeType);
            Formatter.Register<IEnumerable<LayerInfo>>((layers, writer) => writer.Write(NotebookHtml.LayerTable(layers)), MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(ImageBatch), MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(RenderResult), MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(RenderProgress), MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(LayerInfo), MimeType);
            Formatter.SetPreferredMimeTypesFor(typeof(IEnumerable<LayerInfo>), MimeType);
        }
    }
}
