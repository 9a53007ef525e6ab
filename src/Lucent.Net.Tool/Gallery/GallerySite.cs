using System.Globalization;
using System.Text;
using Lucent.Net.Imaging;
using static System.Net.WebUtility;

namespace Lucent.Net.Tool.Gallery;

/// <summary>What <see cref="GallerySite.Write"/> wrote.</summary>
internal sealed record SiteSummary(string Index, int Pages, int Channels, int PlannedChannels);

/// <summary>
/// A static site over a gallery folder: <c>index.html</c> (a thumbnail per layer), <c>site/LAYER.html</c> (every
/// planned channel, numbered), <c>site/LAYER/cNNNN.html</c> (a channel: every kind of render, the thresholds, its
/// dataset examples with their values, its neighbours; a stable URL). Relative links only, and no script but arrow-key
/// navigation and a box that jumps to <c>layer:channel</c> (both read only the page's own elements), so it works from
/// disk and from any static host. The gallery's files are untrusted input: every value from them is HTML-encoded, links
/// and image URLs are built only from the plan's checked folder names and from names the tool makes, and a record that
/// is not exactly the plan's is skipped with a warning (it shows as pending).
/// </summary>
internal static class GallerySite
{
    public const string SiteFolder = "site";

    /// <summary>The folder of dataset example thumbnails (site/examples).</summary>
    public const string ThumbnailFolder = "examples";

    /// <summary>The width and height of a dataset example thumbnail.</summary>
    public const int ThumbnailSize = 64;

    private const string Style =
        "body{font-family:system-ui,sans-serif;margin:2rem;background:#fafafa;color:#222}" +
        "a{color:#0b5cad}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(96px,1fr));gap:6px}" +
        ".cell{position:relative;display:block;aspect-ratio:1;background:#ddd}.cell img{width:100%;height:100%;display:block;image-rendering:pixelated}" +
        ".cell span{position:absolute;left:0;top:0;background:#000a;color:#fff;font-size:12px;padding:1px 4px}" +
        ".pending{opacity:.4}.kinds img{width:160px;height:160px;display:block;image-rendering:pixelated}.kinds img.alpha{background:repeating-conic-gradient(#ccc 0 25%,#fff 0 50%) 0 0/16px 16px}" +
        ".steps img{width:128px;image-rendering:pixelated}.steps figure,.kinds figure,.examples figure{display:inline-block;margin:0 8px 8px 0;vertical-align:top}" +
        ".examples img{width:64px;height:64px;image-rendering:pixelated;display:block}.examples img.crop{margin-top:2px;outline:1px solid #0b5cad}.examples figcaption{font-size:11px;max-width:96px;overflow-wrap:anywhere}" +
        ".layers{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px;list-style:none;padding:0}.layers img{width:128px;height:128px;display:block;image-rendering:pixelated;background:#ddd}" +
        "pre{background:#eee;padding:.6rem;overflow-x:auto}nav a{margin-right:1rem}#jump{margin:.5rem 0}#jump-message{color:#a00;margin-left:.5rem}";

    /// <summary>The jump box's script: reads the layers and their pages from the page's own <c>#jump-layers</c> options.</summary>
    private const string JumpScript = "<script>" + JumpCode + "</script>";

    /// <summary>The arrow keys of a channel page: previous, next, up (not while typing in the jump box).</summary>
    private const string ArrowKeysCode =
        "document.addEventListener('keydown',function(e){if(e.target&&e.target.tagName==='INPUT'){return;}var t={ArrowLeft:'prev',ArrowRight:'next',ArrowUp:'up'}[e.key];var a=t&&document.getElementById(t);if(a){location.href=a.href;}});";

    private const string JumpCode =
        "(function(){var f=document.getElementById('jump');if(!f){return;}f.addEventListener('submit',function(e){e.preventDefault();" +
        "var v=document.getElementById('jump-to').value.trim();var i=v.lastIndexOf(':');var m=document.getElementById('jump-message');" +
        "var name=i<0?v:v.slice(0,i),c=i<0?'':v.slice(i+1);var o=[].slice.call(document.querySelectorAll('#jump-layers option')).filter(function(x){return x.value===name;})[0];" +
        "if(!o){m.textContent='No layer '+name+' in this gallery.';return;}" +
        "if(c===''){location.href=document.body.dataset.root+'site/'+o.dataset.folder+'.html';return;}" +
        "if(!/^[0-9]+$/.test(c)||o.dataset.pages.split(',').indexOf(String(parseInt(c,10)))<0){m.textContent='No page for channel '+c+' of '+name+'.';return;}" +
        "var n=String(parseInt(c,10));while(n.length<4){n='0'+n;}location.href=document.body.dataset.root+'site/'+o.dataset.folder+'/c'+n+'.html';});})();";

    /// <summary>Writes the site into DIR.</summary>
    /// <param name="dir">The gallery folder.</param>
    /// <param name="warnings">Gets a <c>warning: ...</c> line for each record skipped and each example image that cannot be read.</param>
    public static SiteSummary Write(string dir, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var plan = GalleryPlan.Load(dir);
        var unitsOf = plan.Units.Where(u => !u.IsExamples).ToLookup(u => u.Layer, StringComparer.Ordinal);
        var examples = plan.Options.Dataset is null ? null : GalleryExamples.Merge(dir, plan, warnings);
        var thumbnails = examples is null ? new HashSet<int>() : WriteThumbnails(dir, plan, examples, warnings);
        var layers = new List<(GalleryLayer Layer, SiteLayer Site)>();
        foreach (var layer in plan.Layers)
        {
            var records = ReadChannels(dir, plan, layer, unitsOf[layer.Name], warnings);
            var examplesOf = examples?.Layers[layer.Name].Channels.Where(c => c.Top.Count > 0).ToDictionary(c => c.Channel);
            var pages = layer.Channels.Where(c => records.ContainsKey(c) || (examplesOf?.ContainsKey(c) ?? false)).ToArray();
            layers.Add((layer, new SiteLayer(records, examplesOf ?? [], pages)));
        }

        string jump = JumpBox(layers);
        int pageCount = 0, rendered = 0;
        var index = new StringBuilder();
        index.Append(Head("Gallery " + plan.Options.Model, string.Empty));
        index.Append(CultureInfo.InvariantCulture, $"<h1>{HtmlEncode(plan.Options.Model)} gallery</h1><p>{plan.Options.Steps} steps, {plan.Options.Size} px{(plan.Options.IsMaco ? " MACO images (with their transparency maps)" : string.Empty)}, seed {plan.Options.Seed}, kinds {HtmlEncode(string.Join(", ", plan.Options.RenderKinds))}, options <code>{HtmlEncode(plan.OptionsHash)}</code>.</p>");
        if (examples is not null)
        {
            var dataset = plan.Options.Dataset!;
            index.Append(CultureInfo.InvariantCulture, $"<p>Dataset examples: {examples.DoneUnits} of {examples.TotalUnits} dataset units done, {dataset.Files.Count} images, {examples.Skipped.Count} skipped.</p>");
            if (examples.Skipped.Count > 0)
            {
                index.Append("<details id=\"skipped\"><summary>Skipped images</summary><ul>");
                foreach (var skipped in examples.Skipped)
                {
                    index.Append(CultureInfo.InvariantCulture, $"<li><code>{HtmlEncode(dataset.Files[skipped.Image])}</code>: {HtmlEncode(skipped.Reason)}</li>");
                }

                index.Append("</ul></details>");
            }
        }

        index.Append(jump).Append("<ul id=\"layers\" class=\"layers\">");
        foreach (var (layer, site) in layers)
        {
            rendered += site.Records.Count;
            string? thumb = layer.Channels.Select(c => site.Records.TryGetValue(c, out var kinds) ? Preferred(plan, kinds) : null).FirstOrDefault(r => r is not null) is { } first
                ? $"<img src=\"{Url(GalleryFiles.LayersFolder, layer.Folder, first.Images[^1].File)}\" alt=\"{HtmlEncode(layer.Name)} channel {first.Channel.ToString(CultureInfo.InvariantCulture)}\">"
                : "<div class=\"cell pending\" style=\"width:128px;height:128px\"></div>";
            index.Append(CultureInfo.InvariantCulture,
                $"<li><a href=\"{Url(SiteFolder, layer.Folder + ".html")}\">{thumb}{HtmlEncode(layer.Name)}</a> ({site.Records.Count}/{layer.Channels.Count} channels rendered)</li>");
            WriteLayerPage(dir, plan, layer, site, jump);
            pageCount++;
            for (int i = 0; i < site.Pages.Count; i++)
            {
                WriteChannelPage(dir, plan, layer, site, site.Pages[i], i > 0 ? site.Pages[i - 1] : null, i + 1 < site.Pages.Count ? site.Pages[i + 1] : null, examples, thumbnails, jump);
                pageCount++;
            }
        }

        index.Append("</ul>").Append(JumpScript).Append("</body></html>\n");
        string indexPath = GalleryPaths.Inside(dir, "index.html");
        AtomicFile.WriteAllText(indexPath, index.ToString());
        return new SiteSummary(indexPath, pageCount + 1, rendered, plan.Layers.Sum(l => l.Channels.Count));
    }

    /// <summary>A layer's valid records (channel, then kind), its merged examples and the channels that get a page.</summary>
    private sealed record SiteLayer(Dictionary<int, Dictionary<string, ChannelRecord>> Records, Dictionary<int, ChannelExamples> Examples, IReadOnlyList<int> Pages);

    /// <summary>The record shown for a channel in grids: its first kind in the plan's order.</summary>
    private static ChannelRecord? Preferred(GalleryPlan plan, Dictionary<string, ChannelRecord> kinds) =>
        plan.Options.RenderKinds.Select(k => kinds.GetValueOrDefault(k)).FirstOrDefault(r => r is not null);

    /// <summary>The jump box: a form and the list of layers (names encoded) with their folders and the channels that have pages.</summary>
    private static string JumpBox(List<(GalleryLayer Layer, SiteLayer Site)> layers)
    {
        var html = new StringBuilder("<form id=\"jump\"><label for=\"jump-to\">Go to </label><input id=\"jump-to\" list=\"jump-layers\" placeholder=\"layer:channel\" autocomplete=\"off\"> <button type=\"submit\">Go</button><span id=\"jump-message\"></span><datalist id=\"jump-layers\">");
        foreach (var (layer, site) in layers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{HtmlEncode(layer.Name)}\" data-folder=\"{Url(layer.Folder)}\" data-pages=\"{string.Join(',', site.Pages.Select(c => c.ToString(CultureInfo.InvariantCulture)))}\"></option>");
        }

        return html.Append("</datalist></form>").ToString();
    }

    /// <summary>
    /// Writes a thumbnail (centre square, <see cref="ThumbnailSize"/> px) of every dataset image among the merged examples,
    /// and for every top example the crop around its strongest position (the layer's receptive field), each image read
    /// once again with the dataset's decode limits; an image that cannot be read gets a warning and no thumbnail.
    /// </summary>
    /// <returns>The images that have a thumbnail (their crops were written too).</returns>
    private static HashSet<int> WriteThumbnails(string dir, GalleryPlan plan, MergedExamples examples, TextWriter warnings)
    {
        var dataset = plan.Options.Dataset!;
        var wanted = new SortedDictionary<int, List<(GalleryLayer Layer, LayerExamples Examples, Example Example, int Channel)>>();
        foreach (var layer in plan.Layers)
        {
            var merged = examples.Layers[layer.Name];
            foreach (var channel in merged.Channels)
            {
                foreach (var e in channel.Bottom)
                {
                    Want(e.Image);
                }

                foreach (var e in channel.Top)
                {
                    Want(e.Image).Add((layer, merged, e, channel.Channel));
                }
            }
        }

        var written = new HashSet<int>();
        if (wanted.Count == 0)
        {
            return written;
        }

        Directory.CreateDirectory(GalleryPaths.Inside(dir, SiteFolder));
        Directory.CreateDirectory(GalleryPaths.Inside(dir, SiteFolder, ThumbnailFolder));
        foreach (var layer in plan.Layers)
        {
            Directory.CreateDirectory(GalleryPaths.Inside(dir, SiteFolder, ThumbnailFolder, layer.Folder));
        }

        foreach (var (image, crops) in wanted)
        {
            try
            {
                var decoded = GalleryExamples.LoadImage(dataset, image);
                var thumbnail = GalleryExamples.SquareResize(decoded, ThumbnailSize);
                AtomicFile.WriteAllBytes(GalleryPaths.Inside(dir, SiteFolder, ThumbnailFolder, ThumbnailName(image)), thumbnail.ToPngBytes());
                foreach (var (layer, merged, e, channel) in crops)
                {
                    var crop = GalleryExamples.CropAt(decoded, dataset.InputSize, merged.Height, merged.Width, e.X, e.Y, merged.ReceptiveField, ThumbnailSize);
                    AtomicFile.WriteAllBytes(GalleryPaths.Inside(dir, SiteFolder, ThumbnailFolder, layer.Folder, CropName(channel, image)), crop.ToPngBytes());
                }

                written.Add(image);
            }
            catch (Exception e) when (e is InvalidPngException or InvalidJpegException or ImageTooLargeException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                warnings.WriteLine($"warning: dataset image '{GalleryPaths.Describe(dataset.Files[image])}' cannot be read for its thumbnail: {GalleryExamples.Reason(e.Message)}");
            }
        }

        return written;

        List<(GalleryLayer Layer, LayerExamples Examples, Example Example, int Channel)> Want(int image)
        {
            if (!wanted.TryGetValue(image, out var list))
            {
                wanted[image] = list = [];
            }

            return list;
        }
    }

    /// <summary>The crop of dataset image <paramref name="image"/> around channel <paramref name="channel"/>'s strongest position, relative to site/examples/LAYER.</summary>
    public static string CropName(int channel, int image) => string.Create(CultureInfo.InvariantCulture, $"{GalleryFiles.ChannelStem(channel)}_i{image:D7}.png");

    /// <summary>The thumbnail of dataset image <paramref name="image"/>, relative to site/examples.</summary>
    public static string ThumbnailName(int image) => string.Create(CultureInfo.InvariantCulture, $"i{image:D7}.png");

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

        if (o.IsMaco)
        {
            builder.Append(" --param maco");
        }

        builder.Append(" --kinds ").Append(string.Join(',', o.RenderKinds));
        if (o.DiversityImages is int diversity)
        {
            builder.Append(CultureInfo.InvariantCulture, $" --diversity-images {diversity}");
        }

        if (o.Dataset is { } dataset)
        {
            builder.Append(" --dataset ").Append(ShellWord(dataset.Root)).Append(CultureInfo.InvariantCulture, $" --examples {dataset.Examples} --examples-chunk {dataset.Chunk} --examples-size {dataset.InputSize}");
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

    private static Dictionary<int, Dictionary<string, ChannelRecord>> ReadChannels(string dir, GalleryPlan plan, GalleryLayer layer, IEnumerable<GalleryUnit> units, TextWriter warnings)
    {
        var records = new Dictionary<int, Dictionary<string, ChannelRecord>>();
        foreach (var unit in units)
        {
            for (int i = 0; i < unit.Channels.Count; i++)
            {
                try
                {
                    if (GalleryFiles.ReadChannel(dir, plan, layer, unit, i) is { } record)
                    {
                        if (!records.TryGetValue(record.Channel, out var kinds))
                        {
                            records[record.Channel] = kinds = new Dictionary<string, ChannelRecord>(StringComparer.Ordinal);
                        }

                        kinds[unit.Kind] = record;
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

    private static void WriteLayerPage(string dir, GalleryPlan plan, GalleryLayer layer, SiteLayer site, string jump)
    {
        var pages = site.Pages.ToHashSet();
        var html = new StringBuilder();
        html.Append(Head(layer.Name, "../"));
        html.Append(CultureInfo.InvariantCulture, $"<nav><a href=\"../index.html\" id=\"up\">All layers</a></nav>{jump}<h1>{HtmlEncode(layer.Name)}</h1><p>{site.Records.Count} of {layer.Channels.Count} channels rendered ({layer.ModelChannels} in the model). Each cell shows channel <i>n</i>'s {HtmlEncode(plan.Options.RenderKinds[0])} render.</p><div class=\"grid\">");
        foreach (int channel in layer.Channels)
        {
            var record = site.Records.TryGetValue(channel, out var kinds) ? Preferred(plan, kinds) : null;
            if (pages.Contains(channel))
            {
                string image = record is null
                    ? string.Empty
                    : $"<img loading=\"lazy\" decoding=\"async\" src=\"{Url("..", GalleryFiles.LayersFolder, layer.Folder, record.Images[^1].File)}\" alt=\"{HtmlEncode(layer.Name)} channel {channel.ToString(CultureInfo.InvariantCulture)}\">";
                html.Append(CultureInfo.InvariantCulture,
                    $"<a class=\"cell\" id=\"c{channel}\" href=\"{Url(layer.Folder, GalleryFiles.ChannelStem(channel) + ".html")}\" title=\"channel {channel}\">{image}<span>{channel}</span></a>");
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"cell pending\" id=\"c{channel}\" title=\"channel {channel} (pending)\"><span>{channel}</span></div>");
            }
        }

        html.Append("</div>").Append(JumpScript).Append("</body></html>\n");
        AtomicFile.WriteAllText(GalleryPaths.Inside(dir, SiteFolder, layer.Folder + ".html"), html.ToString());
    }

    private static void WriteChannelPage(string dir, GalleryPlan plan, GalleryLayer layer, SiteLayer site, int channel, int? previous, int? next, MergedExamples? examples, HashSet<int> thumbnails, string jump)
    {
        var kinds = site.Records.GetValueOrDefault(channel) ?? [];
        var html = new StringBuilder();
        html.Append(Head(string.Create(CultureInfo.InvariantCulture, $"{layer.Name} channel {channel}"), "../../"));
        html.Append("<nav>");
        html.Append(CultureInfo.InvariantCulture, $"<a href=\"{Url("..", layer.Folder + ".html")}\" id=\"up\">{HtmlEncode(layer.Name)}</a>");
        if (previous is int p)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{Url(GalleryFiles.ChannelStem(p) + ".html")}\" id=\"prev\">&larr; channel {p}</a>");
        }

        if (next is int n)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{Url(GalleryFiles.ChannelStem(n) + ".html")}\" id=\"next\">channel {n} &rarr;</a>");
        }

        html.Append("</nav>").Append(jump);
        html.Append(CultureInfo.InvariantCulture, $"<h1>{HtmlEncode(layer.Name)} channel {channel}</h1>");
        html.Append("<div class=\"kinds\">");
        foreach (string kind in plan.Options.RenderKinds)
        {
            if (kinds.TryGetValue(kind, out var record))
            {
                int perThreshold = GalleryKinds.ImagesPerThreshold(plan.Options, kind);
                for (int d = record.Images.Count - perThreshold; d < record.Images.Count; d++)
                {
                    string id = d == record.Images.Count - 1 && kind == plan.Options.RenderKinds[0] ? " id=\"final\"" : string.Empty;
                    html.Append(CultureInfo.InvariantCulture, $"<figure class=\"kind-{kind}\"><img class=\"large\"{id} src=\"{Url("..", "..", GalleryFiles.LayersFolder, layer.Folder, record.Images[d].File)}\" alt=\"{HtmlEncode(layer.Name)} channel {channel} {kind} after {record.Images[d].Step} steps\"><figcaption>{kind}{(perThreshold > 1 ? string.Create(CultureInfo.InvariantCulture, $" {d % perThreshold + 1}/{perThreshold}") : string.Empty)}</figcaption></figure>");
                }

                if (plan.Options.IsMaco)
                {
                    // MACO's transparency map beside the image: the image with the map as alpha, and the map as a heat map.
                    html.Append(CultureInfo.InvariantCulture, $"<figure class=\"transparency-{kind}\"><img class=\"alpha\" src=\"{Url("..", "..", GalleryFiles.LayersFolder, layer.Folder, GalleryKinds.TransparencyName(channel, kind))}\" alt=\"{HtmlEncode(layer.Name)} channel {channel} {kind} with its transparency map as alpha\"><figcaption>{kind}: transparency (alpha)</figcaption></figure>");
                    html.Append(CultureInfo.InvariantCulture, $"<figure class=\"heat-{kind}\"><img class=\"heat\" src=\"{Url("..", "..", GalleryFiles.LayersFolder, layer.Folder, GalleryKinds.HeatMapName(channel, kind))}\" alt=\"{HtmlEncode(layer.Name)} channel {channel} {kind} transparency heat map\"><figcaption>{kind}: transparency (heat map)</figcaption></figure>");
                }
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"<figure class=\"kind-{kind} pending\"><div class=\"cell\" style=\"width:128px\"></div><figcaption>{kind} (pending)</figcaption></figure>");
            }
        }

        html.Append("</div>");
        if (examples is not null)
        {
            AppendExamples(html, plan, layer.Folder, site.Examples.GetValueOrDefault(channel), examples.Layers[layer.Name], thumbnails);
        }

        foreach (string kind in plan.Options.RenderKinds.Where(kinds.ContainsKey))
        {
            var record = kinds[kind];
            int perThreshold = GalleryKinds.ImagesPerThreshold(plan.Options, kind);
            html.Append(CultureInfo.InvariantCulture, $"<h2>{HtmlEncode(GalleryKinds.Describe(kind))}</h2><div class=\"steps\" id=\"steps-{kind}\">");
            for (int i = 0; i < record.Images.Count; i++)
            {
                html.Append(CultureInfo.InvariantCulture, $"<figure><img src=\"{Url("..", "..", GalleryFiles.LayersFolder, layer.Folder, record.Images[i].File)}\" alt=\"{kind} step {record.Images[i].Step}\"><figcaption>step {record.Images[i].Step}{(perThreshold > 1 ? string.Create(CultureInfo.InvariantCulture, $", image {i % perThreshold + 1}") : string.Empty)}</figcaption></figure>");
            }

            html.Append("</div>");
            html.Append(CultureInfo.InvariantCulture, $"<p>Objective: {record.ObjectiveBefore:G5} before, {record.ObjectiveAfter:G5} after {record.Loss.Count} steps (unit {HtmlEncode(record.Unit)}, image {record.BatchIndex} of its batch, seed {record.Seed}).</p>");
        }

        var main = plan.Options.RenderKinds.Where(kinds.ContainsKey).Select(k => kinds[k]).FirstOrDefault();
        if (main is not null)
        {
            html.Append("<h2>Loss</h2>").Append(LossCurve(main.Loss));
            html.Append("<h2>Reproduce</h2><pre id=\"reproduce\">").Append(HtmlEncode(ReproduceCommand(plan, main.Unit))).Append("</pre>");
        }

        html.Append("<script>").Append(ArrowKeysCode).Append(JumpCode).Append("</script></body></html>\n");
        AtomicFile.WriteAllText(GalleryPaths.Inside(dir, SiteFolder, layer.Folder, GalleryFiles.ChannelStem(channel) + ".html"), html.ToString());
    }

    /// <summary>The channel's top and bottom dataset examples: thumbnail, mean (and max) activation, file name, all encoded.</summary>
    private static void AppendExamples(StringBuilder html, GalleryPlan plan, string layerFolder, ChannelExamples? channel, LayerExamples layer, HashSet<int> thumbnails)
    {
        var dataset = plan.Options.Dataset!;
        html.Append("<h2>Dataset examples</h2>");
        if (channel is null)
        {
            html.Append("<p>Pending: no dataset unit is done yet.</p>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<p>The {dataset.Examples} images of the dataset that excite the channel most and least (mean activation over the {layer.Height}x{layer.Width} positions; max and its position in brackets; for the most, also the {layer.ReceptiveField} px receptive field around the strongest position).</p>");
        foreach (var (title, id, list) in new[] { ("Most", "top", channel.Top), ("Least", "bottom", channel.Bottom) })
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{title}</h3><div class=\"examples\" id=\"examples-{id}\">");
            foreach (var e in list)
            {
                string file = dataset.Files[e.Image];
                string image = thumbnails.Contains(e.Image)
                    ? $"<img src=\"{Url("..", ThumbnailFolder, ThumbnailName(e.Image))}\" alt=\"{HtmlEncode(file)}\">"
                    : "<div class=\"cell pending\" style=\"width:64px;height:64px\"></div>";
                if (id == "top" && thumbnails.Contains(e.Image))
                {
                    image += string.Create(CultureInfo.InvariantCulture, $"<img class=\"crop\" src=\"{Url("..", ThumbnailFolder, layerFolder, CropName(channel.Channel, e.Image))}\" alt=\"{HtmlEncode(file)}: the {layer.ReceptiveField} px receptive field around the strongest position\">");
                }

                html.Append(CultureInfo.InvariantCulture, $"<figure title=\"{HtmlEncode(file)}\">{image}<figcaption><b>{e.Mean:G4}</b> (max {e.Max:G4} at {e.X},{e.Y})<br>{HtmlEncode(file)}</figcaption></figure>");
            }

            html.Append("</div>");
        }
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
