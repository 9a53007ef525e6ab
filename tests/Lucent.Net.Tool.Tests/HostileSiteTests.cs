using System.Text.Json.Nodes;
using Lucent.Net.Imaging.Tests;
using Lucent.Net.Tool.Gallery;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// <c>gallery site</c> over a gallery folder an attacker could write: values from its files are encoded, links are made
/// only from checked names, and a record that is not exactly the plan's is skipped with a warning line.
/// </summary>
public sealed class HostileSiteTests
{
    /// <summary>Sets window.__pwned if it ever runs, and adds an element the test looks for.</summary>
    private const string Payload = "\"><img src=x id=pwned onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>'";

    public static TheoryData<string> RecordEdits => new()
    {
        "truncated",
        "bit flipped",
        "empty object",
        "not json",
        "images []",
        "images null",
        "images [null]",
        "image file script",
        "image file ../../../index.html",
        "image file absolute",
        "image step other",
        "loss null",
        "loss []",
        "layer null",
        "unit other",
        "channel other",
        "options hash other",
        "duplicate key",
    };

    [Theory]
    [MemberData(nameof(RecordEdits))]
    public void A_bad_channel_record_is_skipped_with_a_warning(string edit)
    {
        using var gallery = SyntheticGallery.Create();
        gallery.RenderAll();
        string path = gallery.ChannelPath("layer1", 1);
        string good = File.ReadAllText(path);
        string text = edit switch
        {
            "truncated" => good[..(good.Length / 2)],
            "bit flipped" => good.Replace("\"images\"", "\"imagds\"", StringComparison.Ordinal),
            "empty object" => "{}",
            "not json" => "\u0000\u0001garbage",
            "duplicate key" => good.Replace("\"channel\": 1,", "\"channel\": 1, \"channel\": 1,", StringComparison.Ordinal),
            _ => Edit(good, edit),
        };
        File.WriteAllText(path, text);
        var warnings = new StringWriter();

        var summary = GallerySite.Write(gallery.Dir, warnings);

        summary.Channels.Should().Be(3, "channel 1 is skipped, the 3 others are shown");
        string[] lines = warnings.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle().Which.Should().StartWith("warning: layers/layer1/c0001.json").And.Contain("Skipped");
        File.Exists(Path.Combine(gallery.Dir, "site", "layer1", "c0001.html")).Should().BeFalse();
        string layerPage = File.ReadAllText(Path.Combine(gallery.Dir, "site", "layer1.html"));
        layerPage.Should().Contain("channel 1 (pending)").And.NotContain("<img src=x").And.NotContain("index.html\"><img");
    }

    private static string Edit(string good, string edit)
    {
        var json = JsonNode.Parse(good)!.AsObject();
        var image = json["images"]![0]!.AsObject();
        switch (edit)
        {
            case "images []": json["images"] = new JsonArray(); break;
            case "images null": json["images"] = null; break;
            case "images [null]": json["images"] = new JsonArray(null, null); break;
            case "image file script": image["file"] = Payload; break;
            case "image file ../../../index.html": image["file"] = "../../../index.html"; break;
            case "image file absolute": image["file"] = "/etc/passwd"; break;
            case "image step other": image["step"] = 3; break;
            case "loss null": json["loss"] = null; break;
            case "loss []": json["loss"] = new JsonArray(); break;
            case "layer null": json["layer"] = null; break;
            case "unit other": json["unit"] = "layer1-0002-0003"; break;
            case "channel other": json["channel"] = 2; break;
            case "options hash other": json["optionsHash"] = new string('0', 32); break;
            default: throw new ArgumentOutOfRangeException(nameof(edit));
        }

        return json.ToJsonString();
    }

    [Fact]
    public async Task Channel_records_that_are_links_folders_fifos_or_too_large_are_skipped()
    {
        using var gallery = SyntheticGallery.Create();
        gallery.RenderAll();
        string outside = Path.Combine(gallery.Root, "outside.json");
        File.Move(gallery.ChannelPath("layer1", 0), outside);
        File.CreateSymbolicLink(gallery.ChannelPath("layer1", 0), outside);
        File.Delete(gallery.ChannelPath("layer1", 1));
        File.CreateSymbolicLink(gallery.ChannelPath("layer1", 1), "/dev/urandom");
        File.Delete(gallery.ChannelPath("layer1", 2));
        Directory.CreateDirectory(gallery.ChannelPath("layer1", 2));
        File.Delete(gallery.ChannelPath("layer1", 3));
        using (var process = System.Diagnostics.Process.Start("mkfifo", [gallery.ChannelPath("layer1", 3)]))
        {
            process.WaitForExit();
            process.ExitCode.Should().Be(0);
        }

        var warnings = new StringWriter();
        var write = Task.Run(() => GallerySite.Write(gallery.Dir, warnings));
        (await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(30)))).Should().BeSameAs(write, "a FIFO must not block the site");

        (await write).Channels.Should().Be(0);
        string text = warnings.ToString();
        text.Should().Contain("c0000.json' is a symbolic link").And.Contain("c0001.json' is a symbolic link")
            .And.Contain("c0002.json' is a folder").And.Contain("c0003.json' is a FIFO");

        File.Delete(gallery.ChannelPath("layer1", 3));
        using (var stream = File.Create(gallery.ChannelPath("layer1", 3)))
        {
            stream.SetLength(GalleryLimits.MaxChannelFileBytes + 1);
        }

        var again = new StringWriter();
        GallerySite.Write(gallery.Dir, again);
        again.ToString().Should().Contain("c0003.json' holds more than 8388608 bytes");
    }

    [Fact]
    public void Site_pages_are_written_only_inside_the_gallery()
    {
        using var gallery = SyntheticGallery.Create();
        gallery.RenderAll();
        string outside = Path.Combine(gallery.Root, "outside");
        Directory.CreateDirectory(outside);
        Directory.CreateSymbolicLink(Path.Combine(gallery.Dir, "site"), outside);

        var write = () => GallerySite.Write(gallery.Dir, TextWriter.Null);

        write.Should().Throw<GalleryFileException>().WithMessage("*site' is a symbolic link*");
        Directory.EnumerateFileSystemEntries(outside).Should().BeEmpty();
    }

    [Fact]
    public void The_reproduce_line_quotes_every_value_from_the_plan()
    {
        GallerySite.ShellWord("resnet18").Should().Be("resnet18");
        GallerySite.ShellWord("models/a b.onnx").Should().Be("'models/a b.onnx'");
        GallerySite.ShellWord("x; rm -rf ~ #").Should().Be("'x; rm -rf ~ #'");
        GallerySite.ShellWord("it's $(id)").Should().Be("'it'\\''s $(id)'");
        GallerySite.ShellWord(string.Empty).Should().Be("''");
    }

    [SkippableFact]
    public async Task Injected_markup_in_the_model_layer_name_and_image_files_never_runs_in_Chromium()
    {
        Skip.If(HeadlessChromium.FindExecutable() is null, HeadlessChromium.MissingReason);
        string layer = "layer1" + Payload;
        using var gallery = SyntheticGallery.Create("resnet18" + Payload, layer);
        gallery.RenderAll();
        string folder = gallery.Plan.Layers[0].Folder;
        folder.Should().MatchRegex("^[A-Za-z0-9_-]+$");
        string record = gallery.ChannelPath(folder, 3);
        File.WriteAllText(record, Edit(File.ReadAllText(record), "image file script"));
        var warnings = new StringWriter();

        var summary = GallerySite.Write(gallery.Dir, warnings);

        summary.Channels.Should().Be(3);
        warnings.ToString().Should().Contain("c0003.json");
        var pages = new[]
        {
            Path.Combine(gallery.Dir, "index.html"),
            Path.Combine(gallery.Dir, "site", folder + ".html"),
            Path.Combine(gallery.Dir, "site", folder, "c0000.html"),
            Path.Combine(gallery.Dir, "site", folder, "c0002.html"),
        };
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        foreach (string html in pages)
        {
            File.Exists(html).Should().BeTrue();
            await page.GotoAsync(HeadlessChromium.FileUrl(html));
            await page.EvaluateAsync("() => Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => {}); }))");
            (await page.EvaluateAsync<bool>("() => window.__pwned === undefined")).Should().BeTrue($"no injected script runs on {html}");
            (await page.Locator("#pwned, img[src='x']").CountAsync()).Should().Be(0, $"{html} holds no injected element");
            (await page.Locator("script").CountAsync()).Should().Be(1, "a page has one script: its jump box (and on a channel page the arrow keys)");
            var broken = await page.EvaluateAsync<string[]>("() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)");
            broken.Should().BeEmpty($"every image of {html} is a real image of the gallery");
            string body = await page.Locator("body").InnerTextAsync();
            body.Should().Contain(html.EndsWith("index.html", StringComparison.Ordinal) ? "resnet18" + Payload : layer, "the hostile text is shown as text");
        }
    }
}
