using System.Globalization;
using System.Text;
using System.Text.Json;
using Lucent.Net.Imaging;
using static System.Net.WebUtility;

namespace Lucent.Net.Tool.Gallery;

/// <summary>What <see cref="GallerySite.Write"/> wrote.</summary>
internal sealed record SiteSummary(string Index, int Pages, int Channels, int PlannedChannels);

/// <summary>
/// A static site over a gallery folder: <c>index.html</c> (layers), <c>site/LAYER.html</c> (a lazy-loaded grid),
/// <c>site/LAYER/cNNNN.html</c> (a channel). Relative links only, no script but arrow-key navigation, so it works from
/// disk and from any static host.
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

    public static SiteSummary Write(string dir)
    {
        var plan = GalleryPlan.Load(dir);
        int pages = 0, rendered = 0;
        var index = new StringBuilder();
        index.Append(Head("Gallery " + plan.Options.Model, string.Empty));
        index.Append(CultureInfo.InvariantCulture, $"<h1>{HtmlEncode(plan.Options.Model)} gallery</h1><p>{plan.Options.Steps} steps, {plan.Options.Size} px, seed {plan.Options.Seed}, options <code>{plan.OptionsHash}</code>.</p><ul id=\"layers\">");
        foreach (var layer in plan.Layers)
        {
            var records = ReadChannels(dir, layer);
            rendered += records.Count;
            index.Append(CultureInfo.InvariantCulture,
                $"<li><a href=\"{SiteFolder}/{layer.Folder}.html\">{HtmlEncode(layer.Name)}</a> ({records.Count}/{layer.Channels.Count} channels)</li>");
            WriteLayerPage(dir, plan, layer, records);
            pages++;
            for (int i = 0; i < records.Count; i++)
            {
                WriteChannelPage(dir, plan, layer, records[i], i > 0 ? records[i - 1] : null, i + 1 < records.Count ? records[i + 1] : null);
                pages++;
            }
        }

        index.Append("</ul></body></html>\n");
        string indexPath = Path.Combine(dir, "index.html");
        AtomicFile.WriteAllText(indexPath, index.ToString());
        return new SiteSummary(indexPath, pages + 1, rendered, plan.Layers.Sum(l => l.Channels.Count));
    }

    /// <summary>The command that renders a unit again: the plan, then just that unit.</summary>
    public static string ReproduceCommand(GalleryPlan plan, string unitId)
    {
        var o = plan.Options;
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"lucent gallery plan {o.Model} --layers {string.Join(',', o.Layers)} --channels {o.Channels} --steps {o.Steps}");
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

        builder.Append(" --out gallery && lucent gallery run gallery --unit ").Append(unitId);
        return builder.ToString();
    }

    private static List<ChannelRecord> ReadChannels(string dir, GalleryLayer layer)
    {
        var records = new List<ChannelRecord>();
        string folder = GalleryFiles.LayerDirectory(dir, layer.Folder);
        foreach (int channel in layer.Channels)
        {
            string path = Path.Combine(folder, GalleryFiles.ChannelJsonName(channel));
            if (File.Exists(path) && JsonSerializer.Deserialize<ChannelRecord>(File.ReadAllText(path), GalleryJson.Options) is { } record)
            {
                records.Add(record);
            }
        }

        return records;
    }

    private static void WriteLayerPage(string dir, GalleryPlan plan, GalleryLayer layer, List<ChannelRecord> records)
    {
        var done = records.ToDictionary(r => r.Channel);
        var html = new StringBuilder();
        html.Append(Head(layer.Name, "../"));
        html.Append(CultureInfo.InvariantCulture, $"<nav><a href=\"../index.html\">All layers</a></nav><h1>{HtmlEncode(layer.Name)}</h1><p>{records.Count} of {layer.Channels.Count} channels rendered ({layer.ModelChannels} in the model).</p><div class=\"grid\">");
        foreach (int channel in layer.Channels)
        {
            if (done.TryGetValue(channel, out var record))
            {
                string image = record.Images[^1].File;
                html.Append(CultureInfo.InvariantCulture,
                    $"<a class=\"cell\" href=\"{layer.Folder}/{GalleryFiles.ChannelStem(channel)}.html\" title=\"channel {channel}\"><img loading=\"lazy\" decoding=\"async\" src=\"../{GalleryFiles.LayersFolder}/{layer.Folder}/{image}\" alt=\"{HtmlEncode(layer.Name)} channel {channel}\"><span>{channel}</span></a>");
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"cell pending\" title=\"channel {channel} (pending)\"><span>{channel}</span></div>");
            }
        }

        html.Append("</div></body></html>\n");
        AtomicFile.WriteAllText(Path.Combine(dir, SiteFolder, layer.Folder + ".html"), html.ToString());
        _ = plan;
    }

    private static void WriteChannelPage(string dir, GalleryPlan plan, GalleryLayer layer, ChannelRecord record, ChannelRecord? previous, ChannelRecord? next)
    {
        string images = $"../../{GalleryFiles.LayersFolder}/{layer.Folder}/";
        var html = new StringBuilder();
        html.Append(Head(string.Create(CultureInfo.InvariantCulture, $"{layer.Name} channel {record.Channel}"), "../../"));
        html.Append("<nav>");
        html.Append(CultureInfo.InvariantCulture, $"<a href=\"../{layer.Folder}.html\" id=\"up\">{HtmlEncode(layer.Name)}</a>");
        if (previous is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{GalleryFiles.ChannelStem(previous.Channel)}.html\" id=\"prev\">&larr; channel {previous.Channel}</a>");
        }

        if (next is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{GalleryFiles.ChannelStem(next.Channel)}.html\" id=\"next\">channel {next.Channel} &rarr;</a>");
        }

        html.Append("</nav>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{HtmlEncode(layer.Name)} channel {record.Channel}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<img class=\"large\" id=\"final\" src=\"{images}{record.Images[^1].File}\" alt=\"{HtmlEncode(layer.Name)} channel {record.Channel} after {record.Images[^1].Step} steps\">");
        html.Append("<h2>At each threshold</h2><div class=\"steps\">");
        foreach (var image in record.Images)
        {
            html.Append(CultureInfo.InvariantCulture, $"<figure><img src=\"{images}{image.File}\" alt=\"step {image.Step}\"><figcaption>step {image.Step}</figcaption></figure>");
        }

        html.Append("</div>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Objective: {record.ObjectiveBefore:G5} before, {record.ObjectiveAfter:G5} after {record.Loss.Count} steps (unit {HtmlEncode(record.Unit)}, image {record.BatchIndex} of its batch, seed {record.Seed}).</p>");
        html.Append("<h2>Loss</h2>").Append(LossCurve(record.Loss));
        html.Append("<h2>Reproduce</h2><pre id=\"reproduce\">").Append(HtmlEncode(ReproduceCommand(plan, record.Unit))).Append("</pre>");
        html.Append("<script>document.addEventListener('keydown',function(e){var t={ArrowLeft:'prev',ArrowRight:'next',ArrowUp:'up'}[e.key];var a=t&&document.getElementById(t);if(a){location.href=a.href;}});</script>");
        html.Append("</body></html>\n");
        AtomicFile.WriteAllText(Path.Combine(dir, SiteFolder, layer.Folder, GalleryFiles.ChannelStem(record.Channel) + ".html"), html.ToString());
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
