using System.Globalization;
using System.Text;
using Lucent.Net.Imaging;
using static System.Net.WebUtility;

namespace Lucent.Net.Tool.Gallery;

/// <summary>What <see cref="GallerySite.Write"/> wrote.</summary>
internal sealed record SiteSummary(string Index, int Pages, int Channels, int PlannedChannels);

/// <summary>
/// A static site over a gallery folder: <c>index.html</c> (layers), <c>site/LAYER.html</c> (a lazy-loaded grid),
/// <c>site/LAYER/cNNNN.html</c> (a channel). Relative links only, no script but arrow-key navigation, so it works from
/// disk and from any static host. The gallery's files are untrusted input: every value from them is HTML-encoded,
/// links and image URLs are built only from the plan's checked folder names and from <see cref="GalleryFiles.ImageName"/>,
/// and a channel record that is not exactly the plan's is skipped with a warning (its channel shows as pending).
/// </summary>
internal static class GallerySite
{
    public const string SiteFolder = "site";

    private const string Style =
        "body{font-family:system-ui,sans-serif;margin:2rem;background:#fafafa;color:#222}" +
        "a{color:#0b5cad}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(96px,1fr));gap:6px}" +
        ".cell{position:relative;display:block;aspect-ratio:1;background:#ddd}.cell img{width:100%;height:100%;display:block;image-rendering:pixelated}" +
        ".cell span{position:absolute;left:0;bottom:0;background:#000a;color:#fff;font-size:12px;padding:1px 4px;display:none}" +
        ".cell:hover span{display:block}.pending{opacity:.4}.large{width:min(512px,100%);image-rendering:pixelated}" +
        ".steps img{width:128px;image-rendering:pixelated}.steps figure{display:inline-block;margin:0 8px 8px 0}" +
        "pre{background:#eee;padding:.6rem;overflow-x:auto}nav a{margin-right:1rem}";

    /// <summary>Writes the site into DIR.</summary>
    /// <param name="dir">The gallery folder.</param>
    /// <param name="warnings">Gets a <c>warning: ...</c> line for each channel record skipped.</param>
    public static SiteSummary Write(string dir, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var plan = GalleryPlan.Load(dir);
        var unitsOf = plan.Units.ToLookup(u => u.Layer, StringComparer.Ordinal);
        int pages = 0, rendered = 0;
        var index = new StringBuilder();
        index.Append(Head("Gallery " + plan.Options.Model, string.Empty));
        index.Append(CultureInfo.InvariantCulture, $"<h1>{HtmlEncode(plan.Options.Model)} gallery</h1><p>{plan.Options.Steps} steps, {plan.Options.Size} px, seed {plan.Options.Seed}, options <code>{HtmlEncode(plan.OptionsHash)}</code>.</p><ul id=\"layers\">");
        foreach (var layer in plan.Layers)
        {
            var records = ReadChannels(dir, plan, layer, unitsOf[layer.Name], warnings);
            rendered += records.Count;
            index.Append(CultureInfo.InvariantCulture,
                $"<li><a href=\"{Url(SiteFolder, layer.Folder + ".html")}\">{HtmlEncode(layer.Name)}</a> ({records.Count}/{layer.Channels.Count} channels)</li>");
            WriteLayerPage(dir, layer, records);
            pages++;
            for (int i = 0; i < records.Count; i++)
            {
                WriteChannelPage(dir, plan, layer, records[i], i > 0 ? records[i - 1] : null, i + 1 < records.Count ? records[i + 1] : null);
                pages++;
            }
        }

        index.Append("</ul></body></html>\n");
        string indexPath = GalleryPaths.Inside(dir, "index.html");
        AtomicFile.WriteAllText(indexPath, index.ToString());
        return new SiteSummary(indexPath, pages + 1, rendered, plan.Layers.Sum(l => l.Channels.Count));
    }

    /// <summary>The command that renders a unit again: the plan, then just that unit.</summary>
    public static string ReproduceCommand(GalleryPlan plan, string unitId)
    {
        var o = plan.Options;
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"lucent gallery plan {ShellWord(o.Model)} --layers {ShellWord(string.Join(',', o.Layers))} --channels {ShellWord(o.Channels)} --steps {o.Steps}");
        if (o.Thresholds.Count > 1)
        {
            builder.Append(" --thresholds ").Append(string.Join(',', o.Thresholds.Take(o.Thresholds.Count - 1).Select(t => t.ToString(CultureInfo.InvariantCulture))));
        }

        builder.Append(CultureInfo.InvariantCulture, $" --size {o.Size}");
        if (o.InputSize is int n)
        {
            builder.Append(CultureInfo.InvariantCulture, $" --input-size {n}");
        }

        builder.Append(CultureInfo.InvariantCulture, $" --batch {o.Batch} --seed {o.Seed}");
        if (!o.Transforms)
        {
            builder.Append(" --no-transforms");
        }

        builder.Append(" --out gallery && lucent gallery run gallery --unit ").Append(ShellWord(unitId));
        return builder.ToString();
    }

    /// <summary>
    /// <paramref name="value"/> as one POSIX shell word: as it is when it holds only safe characters, else in single
    /// quotes (so a model path or layer name from a hostile plan cannot add commands to the reproduce line).
    /// </summary>
    public static string ShellWord(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool plain = value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ',' or ':' or '=' or '+' or '@');
        return plain ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A relative URL from checked path parts (plain names, <see cref="GalleryPaths.IsSafeName"/>), HTML-encoded for an attribute.</summary>
    private static string Url(params ReadOnlySpan<string> parts)
    {
        var builder = new StringBuilder();
        foreach (string part in parts)
        {
            if (part != ".." && !GalleryPaths.IsSafeName(part))
            {
                throw new GalleryFileException($"'{GalleryPaths.Describe(part)}' is not a plain name: no link is made to it.");
            }

            builder.Append(builder.Length > 0 ? "/" : string.Empty).Append(Uri.EscapeDataString(part));
        }

        return HtmlEncode(builder.ToString());
    }

    private static List<ChannelRecord> ReadChannels(string dir, GalleryPlan plan, GalleryLayer layer, IEnumerable<GalleryUnit> units, TextWriter warnings)
    {
        var records = new List<ChannelRecord>();
        foreach (var unit in units)
        {
            for (int i = 0; i < unit.Channels.Count; i++)
            {
                try
                {
                    if (GalleryFiles.ReadChannel(dir, plan, layer, unit, i) is { } record)
                    {
                        records.Add(record);
                    }
                }
                catch (GalleryFileException e)
                {
                    warnings.WriteLine($"warning: {e.Message} Skipped: the channel shows as pending.");
                }
            }
        }

        return records;
    }

    private static void WriteLayerPage(string dir, GalleryLayer layer, List<ChannelRecord> records)
    {
        var done = records.ToDictionary(r => r.Channel);
        var html = new StringBuilder();
        html.Append(Head(layer.Name, "../"));
        html.Append(CultureInfo.InvariantCulture, $"<nav><a href=\"../index.html\">All layers</a></nav><h1>{HtmlEncode(layer.Name)}</h1><p>{records.Count} of {layer.Channels.Count} channels rendered ({layer.ModelChannels} in the model).</p><div class=\"grid\">");
        foreach (int channel in layer.Channels)
        {
            if (done.TryGetValue(channel, out var record))
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<a class=\"cell\" href=\"{Url(layer.Folder, GalleryFiles.ChannelStem(channel) + ".html")}\" title=\"channel {channel}\"><img loading=\"lazy\" decoding=\"async\" src=\"{Url("..", GalleryFiles.LayersFolder, layer.Folder, ImageFile(record, ^1))}\" alt=\"{HtmlEncode(layer.Name)} channel {channel}\"><span>{channel}</span></a>");
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"cell pending\" title=\"channel {channel} (pending)\"><span>{channel}</span></div>");
            }
        }

        html.Append("</div></body></html>\n");
        AtomicFile.WriteAllText(GalleryPaths.Inside(dir, SiteFolder, layer.Folder + ".html"), html.ToString());
    }

    /// <summary>The name of a record's image, made from its channel and step (a checked record's file is exactly this).</summary>
    private static string ImageFile(ChannelRecord record, Index image) => GalleryFiles.ImageName(record.Channel, record.Images[image].Step);

    private static void WriteChannelPage(string dir, GalleryPlan plan, GalleryLayer layer, ChannelRecord record, ChannelRecord? previous, ChannelRecord? next)
    {
        var html = new StringBuilder();
        html.Append(Head(string.Create(CultureInfo.InvariantCulture, $"{layer.Name} channel {record.Channel}"), "../../"));
        html.Append("<nav>");
        html.Append(CultureInfo.InvariantCulture, $"<a href=\"{Url("..", layer.Folder + ".html")}\" id=\"up\">{HtmlEncode(layer.Name)}</a>");
        if (previous is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{Url(GalleryFiles.ChannelStem(previous.Channel) + ".html")}\" id=\"prev\">&larr; channel {previous.Channel}</a>");
        }

        if (next is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{Url(GalleryFiles.ChannelStem(next.Channel) + ".html")}\" id=\"next\">channel {next.Channel} &rarr;</a>");
        }

        html.Append("</nav>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{HtmlEncode(layer.Name)} channel {record.Channel}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<img class=\"large\" id=\"final\" src=\"{Url("..", "..", GalleryFiles.LayersFolder, layer.Folder, ImageFile(record, ^1))}\" alt=\"{HtmlEncode(layer.Name)} channel {record.Channel} after {record.Images[^1].Step} steps\">");
        html.Append("<h2>At each threshold</h2><div class=\"steps\">");
        for (int i = 0; i < record.Images.Count; i++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<figure><img src=\"{Url("..", "..", GalleryFiles.LayersFolder, layer.Folder, ImageFile(record, i))}\" alt=\"step {record.Images[i].Step}\"><figcaption>step {record.Images[i].Step}</figcaption></figure>");
        }

        html.Append("</div>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Objective: {record.ObjectiveBefore:G5} before, {record.ObjectiveAfter:G5} after {record.Loss.Count} steps (unit {HtmlEncode(record.Unit)}, image {record.BatchIndex} of its batch, seed {record.Seed}).</p>");
        html.Append("<h2>Loss</h2>").Append(LossCurve(record.Loss));
        html.Append("<h2>Reproduce</h2><pre id=\"reproduce\">").Append(HtmlEncode(ReproduceCommand(plan, record.Unit))).Append("</pre>");
        html.Append("<script>document.addEventListener('keydown',function(e){var t={ArrowLeft:'prev',ArrowRight:'next',ArrowUp:'up'}[e.key];var a=t&&document.getElementById(t);if(a){location.href=a.href;}});</script>");
        html.Append("</body></html>\n");
        AtomicFile.WriteAllText(GalleryPaths.Inside(dir, SiteFolder, layer.Folder, GalleryFiles.ChannelStem(record.Channel) + ".html"), html.ToString());
    }

    /// <summary>The loss per step as an inline SVG polyline (lower is better: the loss is minus the objective).</summary>
    public static string LossCurve(IReadOnlyList<double> losses)
    {
        const int Width = 480, Height = 160, Margin = 8;
        var finite = losses.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return "<p>No finite loss was recorded.</p>";
        }

        double min = finite.Min(), max = finite.Max(), span = max > min ? max - min : 1;
        var points = new StringBuilder();
        for (int i = 0; i < losses.Count; i++)
        {
            if (!double.IsFinite(losses[i]))
            {
                continue;
            }

            double x = Margin + ((Width - (2.0 * Margin)) * (losses.Count == 1 ? 0 : i / (double)(losses.Count - 1)));
            double y = Margin + ((Height - (2.0 * Margin)) * (max - losses[i]) / span);
            points.Append(CultureInfo.InvariantCulture, $"{x:F1},{y:F1} ");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"<svg id=\"loss\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"loss from {losses[0]:G4} to {losses[^1]:G4}\"><rect width=\"{Width}\" height=\"{Height}\" fill=\"#fff\" stroke=\"#ccc\"/><polyline fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"1.5\" points=\"{points.ToString().TrimEnd()}\"/><text x=\"{Margin}\" y=\"14\" font-size=\"11\">max {max:G4}</text><text x=\"{Margin}\" y=\"{Height - 4}\" font-size=\"11\">min {min:G4}</text></svg>");
    }

    private static string Head(string title, string root) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{HtmlEncode(title)}</title><style>{Style}</style></head><body data-root=\"{root}\">";
}
