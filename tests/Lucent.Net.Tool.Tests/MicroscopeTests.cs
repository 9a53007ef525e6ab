using System.Text.Json.Nodes;
using Lucent.Net.Imaging;
using Lucent.Net.Tool.CommandLine;
using Lucent.Net.Tool.Gallery;
using Microsoft.Playwright;

namespace Lucent.Net.Tool.Tests;

/// <summary>Issue 24: every kind of render per unit, dataset examples as shardable units, and the pages that show them.</summary>
[Collection(MicroscopeCollection.Name)]
public sealed class MicroscopeRunTests(MicroscopeFixture gallery)
{
    [Fact]
    public void The_run_renders_every_kind_and_names_every_hostile_image_in_its_log()
    {
        string log = gallery.ReferenceOutput;
        log.Should().Contain($"Summary: {MicroscopeFixture.RenderUnits + MicroscopeFixture.DatasetUnits} rendered, 0 skipped, 0 failed units");
        foreach (string name in TestImages.HostileNames)
        {
            log.Should().Contain($"skipped image '{name}'", "each bad file is named in the log");
        }

        log.Should().Contain("skipped image 'bad/bomb.png'").And.Contain("100000x100000");
        log.Should().Contain("skipped image 'bad/bomb.jpg'").And.Contain("65000x65000");
        string layer = Path.Combine(gallery.Reference, "layers", "layer1");
        string last = $"c{MicroscopeFixture.Channels - 1:D4}";
        foreach (string file in new[] { "c0000_s00004.png", "c0000_negative_s00004.png", "c0000_neuron_s00004.png", "c0000_diversity_s00002_3.png", $"{last}_diversity.json", $"{last}_negative_s00004.png" })
        {
            File.Exists(Path.Combine(layer, file)).Should().BeTrue(file);
        }

        var diverse = Enumerable.Range(0, 4).Select(d => File.ReadAllBytes(Path.Combine(layer, $"c0001_diversity_s00004_{d}.png"))).ToArray();
        diverse.Distinct(new BytesComparer()).Should().HaveCount(4, "the diversity batch holds four different images");
        File.ReadAllBytes(Path.Combine(layer, "c0001_s00004.png")).Should().NotEqual(File.ReadAllBytes(Path.Combine(layer, "c0001_negative_s00004.png")));

        var plan = GalleryPlan.Load(gallery.Reference);
        plan.Units.Count(u => !u.IsExamples).Should().Be(MicroscopeFixture.RenderUnits);
        plan.Units.Where(u => u.IsExamples).Select(u => u.ImageCount).Should().Equal(
            Enumerable.Range(0, MicroscopeFixture.DatasetUnits).Select(i => Math.Min(MicroscopeFixture.Chunk, MicroscopeFixture.Images - (i * MicroscopeFixture.Chunk))));
        plan.Options.Dataset!.Files.Should().HaveCount(MicroscopeFixture.Images).And.HaveCountGreaterThanOrEqualTo(200, "the issue asks for a folder of at least 200 images");
        plan.Layers.Should().OnlyContain(l => l.Channels.SequenceEqual(Enumerable.Range(0, MicroscopeFixture.Channels)));
        var merged = GalleryExamples.Merge(gallery.Reference, plan, TextWriter.Null);
        merged.DoneUnits.Should().Be(MicroscopeFixture.DatasetUnits);
        merged.Layers.Values.Sum(l => l.Channels.Count).Should().Be(MicroscopeFixture.Layers.Length * MicroscopeFixture.Channels);
        merged.Skipped.Select(s => plan.Options.Dataset!.Files[s.Image]).Should().BeEquivalentTo([.. TestImages.HostileNames, MicroscopeFixture.SkippedHostileName]);
        foreach (var channel in merged.Layers.Values.SelectMany(l => l.Channels))
        {
            channel.Top.Should().HaveCount(MicroscopeFixture.Examples);
            channel.Bottom.Should().HaveCount(MicroscopeFixture.Examples);
            channel.Top.Select(e => e.Mean).Should().BeInDescendingOrder();
            channel.Bottom.Select(e => e.Mean).Should().BeInAscendingOrder();
            channel.Top[0].Mean.Should().BeGreaterThanOrEqualTo(channel.Bottom[0].Mean);
            channel.Top.Concat(channel.Bottom).Select(e => plan.Options.Dataset!.Files[e.Image]).Should().NotContain(n => n.StartsWith("bad/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Three_concurrent_shards_with_one_killed_in_a_dataset_unit_and_rerun_equal_the_single_process_run_byte_for_byte()
    {
        string dir = await gallery.NewPlanAsync("sharded-" + Guid.NewGuid().ToString("N")[..6]);
        File.ReadAllBytes(Path.Combine(dir, GalleryPlan.FileName)).Should().Equal(File.ReadAllBytes(Path.Combine(gallery.Reference, GalleryPlan.FileName)));
        var plan = GalleryPlan.Load(dir);
        plan.Units.Should().HaveCount(MicroscopeFixture.RenderUnits + MicroscopeFixture.DatasetUnits);
        var runs = Enumerable.Range(0, 2).Select(i => ToolProcess.RunAsync("gallery", "run", dir, "--shard", $"{i}/3", "--threads", "1")).ToArray();

        // Shard 2 owns every third unit from unit 2: kill it in the first dataset unit it owns (a full unit of 64 images).
        var shard2Units = plan.UnitsOf(ShardSpec.Parse("2/3"));
        int killedAt = shard2Units.ToList().FindIndex(u => u.IsExamples && u.ImageCount == MicroscopeFixture.Chunk);
        killedAt.Should().BeGreaterThanOrEqualTo(0, "shard 2 owns a full dataset unit");
        var killed = shard2Units[killedAt];
        string killedRecord = Path.Combine(dir, "examples", killed.Id + ".json");
        string killedMarker = Path.Combine(dir, "done", killed.Id + ".json");
        using (var shard2 = ToolProcess.Start(
            new Dictionary<string, string> { ["LUCENT_NET_CRASH_AT"] = killed.Id + ":moved" },
            "gallery", "run", dir, "--shard", "2/3", "--threads", "1"))
        {
            // Killed (by itself, SIGKILL) after the unit's record reached examples/ and before its done marker: the
            // worst moment, and the same moment however fast or loaded the machine is.
            (await shard2.WaitAsync(TimeSpan.FromMinutes(5))).Should().Be(128 + 9, shard2.Output);
            string started = $"[{killedAt + 1}/{shard2Units.Count}] {killed.Id}: dataset examples of images {killed.ImageFirst}-{killed.ImageFirst + killed.ImageCount - 1}";
            shard2.Output.Should().Contain(started);
        }

        File.Exists(killedRecord).Should().BeTrue("the record was moved into place before the kill");
        File.Exists(killedMarker).Should().BeFalse("the kill came before the done marker");
        int doneBeforeRerun = shard2Units.Count(u => File.Exists(Path.Combine(dir, "done", u.Id + ".json")));
        doneBeforeRerun.Should().Be(killedAt, "the units before the killed one finished, the killed one did not");
        foreach (var (code, output) in await Task.WhenAll(runs))
        {
            code.Should().Be(0, output);
        }

        var (rerun, rerunOutput) = await ToolProcess.RunAsync("gallery", "run", dir, "--shard", "2/3", "--threads", "1");
        rerun.Should().Be(0, rerunOutput);
        rerunOutput.Should().Contain($"Summary: {shard2Units.Count - doneBeforeRerun} rendered, {doneBeforeRerun} skipped, 0 failed units");
        rerunOutput.Should().Contain($"{killed.Id}: dataset examples of images").And.NotContain($"{killed.Id}: done");

        // A dataset unit whose record and marker are gone is run again.
        File.Delete(killedRecord);
        File.Delete(killedMarker);
        var (again, againOutput) = await ToolProcess.RunAsync("gallery", "run", dir, "--threads", "1");
        again.Should().Be(0, againOutput);
        againOutput.Should().Contain($"Summary: 1 rendered, {MicroscopeFixture.RenderUnits + MicroscopeFixture.DatasetUnits - 1} skipped, 0 failed units");
        Directory.Exists(Path.Combine(dir, ".staging")).Should().BeFalse("no staging folder is left");
        Directory.EnumerateFiles(dir, "*.lucent-tmp", SearchOption.AllDirectories).Should().BeEmpty();

        var expected = MicroscopeFixture.Outputs(gallery.Reference);
        var actual = MicroscopeFixture.Outputs(dir);
        expected.Keys.Where(k => k.StartsWith("examples/", StringComparison.Ordinal)).Should().Equal(
            plan.Units.Where(u => u.IsExamples).Select(u => $"examples/{u.Id}.json").Order(StringComparer.Ordinal));
        actual.Keys.Should().Equal(expected.Keys);
        foreach (var (name, bytes) in expected)
        {
            actual[name].AsSpan().SequenceEqual(bytes).Should().BeTrue($"{name} must be byte-identical to the single-process run");
        }
    }

    [Fact]
    public async Task Status_shows_render_and_dataset_work_separately()
    {
        var (code, output) = await ToolProcess.RunAsync("gallery", "status", gallery.Reference);
        code.Should().Be(0, output);
        int renders = MicroscopeFixture.Layers.Length * MicroscopeFixture.Channels * MicroscopeFixture.Kinds;
        output.Should().Contain($"Renders: {renders}/{renders} channels done, 0 image-steps pending").And.Contain("image-steps/s per worker");
        output.Should().Contain($"Dataset examples: {MicroscopeFixture.DatasetUnits}/{MicroscopeFixture.DatasetUnits} units, {MicroscopeFixture.Images}/{MicroscopeFixture.Images} images done").And.Contain("images/s per worker");
        output.Should().Contain("(dataset examples)");
    }

    [SkippableFact]
    public async Task The_site_shows_every_kind_and_the_examples_and_jumps_to_layer_and_channel_without_console_errors()
    {
        Skip.If(Lucent.Net.Imaging.Tests.HeadlessChromium.FindExecutable() is null, Lucent.Net.Imaging.Tests.HeadlessChromium.MissingReason);
        string dir = Path.Combine(gallery.Root, "site-" + Guid.NewGuid().ToString("N")[..6]);
        CopyFolder(gallery.Reference, dir);
        var (code, output) = await ToolProcess.RunAsync("gallery", "site", dir);
        code.Should().Be(0, output);
        int channels = MicroscopeFixture.Layers.Length * MicroscopeFixture.Channels;
        output.Should().Contain($"({channels} channels rendered of {channels} planned)");

        var pages = Directory.EnumerateFiles(dir, "*.html", SearchOption.AllDirectories).ToList();
        foreach (string html in pages)
        {
            string text = File.ReadAllText(html);
            text.Should().NotContain("<img src=x").And.NotContain("<svg onload", $"{html} shows file names as text");
        }

        File.ReadAllText(Path.Combine(dir, "index.html")).Should().Contain("&lt;svg onload=alert(1)&gt;", "skipped images are listed, encoded");

        await using var chromium = await Lucent.Net.Imaging.Tests.HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        // Every page: the index, each layer's grid and each planned channel's page (its renders and its top and bottom
        // examples), ending on site/layer1/c0000.html.
        var channelPages = MicroscopeFixture.Layers.SelectMany(l => Enumerable.Range(0, MicroscopeFixture.Channels).Select(c => $"site/{l}/c{c:D4}.html")).Reverse();
        foreach (string html in new[] { "index.html" }.Concat(MicroscopeFixture.Layers.Select(l => $"site/{l}.html")).Concat(channelPages))
        {
            await page.GotoAsync(Lucent.Net.Imaging.Tests.HeadlessChromium.FileUrl(Path.Combine(dir, html)));
            await page.EvaluateAsync("() => Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => {}); }))");
            int images = await page.EvaluateAsync<int>("() => document.images.length");
            images.Should().BeGreaterThan(0, html);
            var broken = await page.EvaluateAsync<string[]>("() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)");
            broken.Should().BeEmpty($"every image of {html} loads");
            if (html.Count(c => c == '/') == 2)
            {
                (await page.Locator(".kinds figure img").CountAsync()).Should().Be(3 + 4, $"{html} shows every kind of render");
                (await page.Locator("#examples-top figure img:not(.crop)").CountAsync()).Should().Be(MicroscopeFixture.Examples, $"{html} shows its top examples");
                (await page.Locator("#examples-bottom figure img").CountAsync()).Should().Be(MicroscopeFixture.Examples, $"{html} shows its bottom examples");
            }
        }

        // site/layer1/c0000.html: every kind, the thresholds, and the examples with their values.
        (await page.Locator(".kinds figure img").CountAsync()).Should().Be(3 + 4);
        (await page.Locator("#examples-top figure").CountAsync()).Should().Be(MicroscopeFixture.Examples);
        (await page.Locator("#examples-bottom figure").CountAsync()).Should().Be(MicroscopeFixture.Examples);
        (await page.Locator("#examples-top img.crop").CountAsync()).Should().Be(MicroscopeFixture.Examples, "each top example also shows the receptive field around its strongest position");
        (await page.Locator("#examples-top figcaption b").First.InnerTextAsync()).Should().MatchRegex("^-?[0-9]");
        (await page.Locator("#steps-diversity img").CountAsync()).Should().Be(2 * 4);

        await page.GotoAsync(Lucent.Net.Imaging.Tests.HeadlessChromium.FileUrl(Path.Combine(dir, "site", "layer1.html")));
        (await page.Locator(".grid .cell span").AllInnerTextsAsync()).Should().Equal(Enumerable.Range(0, MicroscopeFixture.Channels).Select(c => $"{c}"));
        await page.FillAsync("#jump-to", "layer2:3");
        await page.PressAsync("#jump-to", "Enter");
        await PageWaits.UntilLoadedAtAsync(page, "/site/layer2/c0003.html", TimeSpan.FromSeconds(60));
        await page.FillAsync("#jump-to", "nope:1");
        await page.PressAsync("#jump-to", "Enter");
        (await page.Locator("#jump-message").InnerTextAsync()).Should().Contain("No layer nope");
        await page.FillAsync("#jump-to", $"layer1:{MicroscopeFixture.Channels + 1}");
        await page.PressAsync("#jump-to", "Enter");
        (await page.Locator("#jump-message").InnerTextAsync()).Should().Contain($"No page for channel {MicroscopeFixture.Channels + 1}");
        new Uri(page.Url).AbsolutePath.Should().EndWith("/site/layer2/c0003.html");
        errors.Should().BeEmpty("no page logs an error");
    }

    public static TheoryData<string> RecordEdits => new()
    {
        "example of another unit's image",
        "examples out of order",
        "too many examples",
        "infinite mean",
        "extra property",
        "unit renamed",
        "layers null",
        "skipped image twice",
        "not json",
        "too large",
        "receptive field 0",
        "receptive field larger than the image",
    };

    [Theory]
    [MemberData(nameof(RecordEdits))]
    public void A_dataset_record_that_is_not_exactly_the_plans_is_skipped_with_a_warning(string edit)
    {
        string dir = Path.Combine(gallery.Root, "hostile-" + Guid.NewGuid().ToString("N")[..6]);
        CopyFolder(gallery.Reference, dir);
        var plan = GalleryPlan.Load(dir);
        var unit = plan.Units.First(u => u.IsExamples);
        string path = Path.Combine(dir, "examples", unit.Id + ".json");
        if (edit == "not json")
        {
            File.WriteAllText(path, "{\"unit\": ");
        }
        else if (edit == "too large")
        {
            File.WriteAllText(path, new string(' ', (int)GalleryExamples.MaxRecordBytes(plan, unit) + 1));
        }
        else
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var channel = json["layers"]![0]!["channels"]![0]!.AsObject();
            var top = channel["top"]!.AsArray();
            switch (edit)
            {
                case "example of another unit's image": top[0]!["image"] = unit.ImageFirst + unit.ImageCount; break;
                case "examples out of order": (top[0], top[1]) = (top[1]!.DeepClone(), top[0]!.DeepClone()); break;
                case "too many examples": top.Add(top[2]!.DeepClone()); break;
                case "infinite mean": top[0]!["mean"] = 123456.789; break;
                case "extra property": json["script"] = "<script>"; break;
                case "unit renamed": json["unit"] = "../../evil"; break;
                case "layers null": json["layers"] = null; break;
                case "receptive field 0": json["layers"]![0]!["receptiveField"] = 0; break;
                case "receptive field larger than the image": json["layers"]![1]!["receptiveField"] = 33; break;
                case "skipped image twice": json["skipped"]!.AsArray().Add(new JsonObject { ["image"] = 0, ["reason"] = "x" }); json["skipped"]!.AsArray().Add(new JsonObject { ["image"] = 0, ["reason"] = "x" }); break;
                default: throw new ArgumentOutOfRangeException(nameof(edit));
            }

            File.WriteAllText(path, json.ToJsonString().Replace("123456.789", "1e400", StringComparison.Ordinal));
        }

        var warnings = new StringWriter();
        var merged = GalleryExamples.Merge(dir, plan, warnings);
        merged.DoneUnits.Should().Be(MicroscopeFixture.DatasetUnits - 1);
        warnings.ToString().Should().Contain($"examples/{unit.Id}.json").And.Contain("Skipped");
        var site = () => GallerySite.Write(dir, TextWriter.Null);
        site.Should().NotThrow();
    }

    internal static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}

/// <summary>The plan's new options are untrusted input like the others; kinds and examples in-process.</summary>
public sealed class MicroscopePlanTests
{
    [Fact]
    public void Kinds_default_to_all_four_in_canonical_order_and_unknown_ones_are_refused()
    {
        GalleryKinds.Parse(null).Should().Equal("channel", "negative", "neuron", "diversity");
        GalleryKinds.Parse("neuron, channel,neuron").Should().Equal("channel", "neuron");
        var bad = () => GalleryKinds.Parse("channel,<b>");
        bad.Should().Throw<ToolException>().WithMessage("*'<b>' is not a kind of render*");
    }

    [Fact]
    public void A_plan_made_before_kinds_loads_as_channel_only_with_its_old_hash_and_unit_ids()
    {
        using var gallery = SyntheticGallery.Create();
        string json = File.ReadAllText(gallery.PlanPath);
        json.Should().NotContain("\"kinds\"").And.NotContain("\"dataset\"");
        var plan = GalleryPlan.Load(gallery.Dir);
        plan.Options.Kinds.Should().BeNull();
        plan.Options.RenderKinds.Should().Equal("channel");
        plan.Units.Should().OnlyContain(u => u.Kind == "channel" && !u.Id.EndsWith("channel", StringComparison.Ordinal));
        plan.Units[0].Id.Should().MatchRegex("^layer1-0000-[0-9]{4}$");

        // A unit JSON without "kind" (as plans before kinds wrote them) is the same unit.
        SyntheticGallery.EditPlan(gallery.PlanPath, j => j["units"]!.AsArray().Select(u => u!.AsObject()).ToList().ForEach(u => { u.Remove("kind"); u.Remove("imageFirst"); u.Remove("imageCount"); }), rehash: false);
        GalleryPlan.Load(gallery.Dir).Units.Should().Equal(plan.Units, (a, b) => a.Id == b.Id && a.Kind == b.Kind);
    }

    public static TheoryData<string, string> OptionEdits => new()
    {
        { "kinds out of order", "--kinds must name" },
        { "kinds unknown", "--kinds must name" },
        { "kinds empty", "--kinds must name" },
        { "diversity images without diversity", "exactly when --kinds has diversity" },
        { "diversity images 10^6", "--diversity-images must be between 2 and 64" },
        { "diversity weight NaN", "not a gallery plan" },
        { "dataset root relative", "--dataset: the dataset folder must be a full path" },
        { "dataset file ../x", "must not hold empty, '.' or '..' parts" },
        { "dataset file absolute", "must be a relative path" },
        { "dataset files unsorted", "must be sorted" },
        { "dataset files empty", "--dataset must hold 1 to" },
        { "examples 10^6", "--examples must be between 1 and 100" },
        { "chunk 0", "--examples-chunk must be between" },
        { "examples kind as a render kind", "--kinds must name" },
    };

    [Theory]
    [MemberData(nameof(OptionEdits))]
    public void Kinds_and_dataset_options_out_of_bounds_are_refused_by_load(string edit, string message)
    {
        using var gallery = SyntheticGallery.Create();
        gallery.EditPlan(
            json =>
            {
                var options = json["options"]!.AsObject();
                var dataset = new JsonObject
                {
                    ["root"] = "/data/images",
                    ["files"] = new JsonArray("a.png", "b/c.jpg"),
                    ["examples"] = 10,
                    ["chunk"] = 256,
                    ["inputSize"] = 224,
                };
                switch (edit)
                {
                    case "kinds out of order": options["kinds"] = new JsonArray("neuron", "channel"); break;
                    case "kinds unknown": options["kinds"] = new JsonArray("channel", "../evil"); break;
                    case "kinds empty": options["kinds"] = new JsonArray(); break;
                    case "diversity images without diversity": options["kinds"] = new JsonArray("channel"); options["diversityImages"] = 4; options["diversityWeight"] = 100; break;
                    case "diversity images 10^6": options["kinds"] = new JsonArray("diversity"); options["diversityImages"] = 1_000_000; options["diversityWeight"] = 100; break;
                    case "diversity weight NaN": options["kinds"] = new JsonArray("diversity"); options["diversityImages"] = 4; options["diversityWeight"] = "NaN"; break;
                    case "dataset root relative": dataset["root"] = "images"; options["dataset"] = dataset; break;
                    case "dataset file ../x": dataset["files"] = new JsonArray("../x.png"); options["dataset"] = dataset; break;
                    case "dataset file absolute": dataset["files"] = new JsonArray("/etc/passwd"); options["dataset"] = dataset; break;
                    case "dataset files unsorted": dataset["files"] = new JsonArray("b.png", "a.png"); options["dataset"] = dataset; break;
                    case "dataset files empty": dataset["files"] = new JsonArray(); options["dataset"] = dataset; break;
                    case "examples 10^6": dataset["examples"] = 1_000_000; options["dataset"] = dataset; break;
                    case "chunk 0": dataset["chunk"] = 0; options["dataset"] = dataset; break;
                    case "examples kind as a render kind": options["kinds"] = new JsonArray("examples"); break;
                    default: throw new ArgumentOutOfRangeException(nameof(edit));
                }
            },
            rehash: edit != "diversity weight NaN");

        var load = () => GalleryPlan.Load(gallery.Dir);

        var error = load.Should().Throw<ToolException>().Which;
        error.Message.Should().Contain(message).And.NotContainAny("\n", "\r");
    }

    [Fact]
    public void Examples_are_ordered_by_value_then_by_image_so_the_merge_does_not_depend_on_the_units()
    {
        var examples = new[] { new Example(5, 1.0, 2, 0, 0), new Example(2, 1.0, 2, 0, 0), new Example(9, 3.0, 3, 0, 0), new Example(1, -1.0, 0, 0, 0), new Example(7, 1.0, 1, 0, 0) };
        var forward = new List<Example>();
        var backward = new List<Example>();
        foreach (var e in examples)
        {
            GalleryExamples.Keep(forward, e, 3, GalleryExamples.CompareTop);
        }

        foreach (var e in examples.Reverse())
        {
            GalleryExamples.Keep(backward, e, 3, GalleryExamples.CompareTop);
        }

        forward.Select(e => e.Image).Should().Equal(9, 2, 5);
        backward.Should().Equal(forward);
        var bottom = new List<Example>();
        foreach (var e in examples)
        {
            GalleryExamples.Keep(bottom, e, 2, GalleryExamples.CompareBottom);
        }

        bottom.Select(e => e.Image).Should().Equal(1, 2);
    }

    [Fact]
    public async Task Receptive_fields_are_measured_from_the_model()
    {
        using var model = await ModelSource.LoadAsync("resnet18", null, CancellationToken.None);
        var options = new GalleryOptions
        {
            Model = "resnet18", Layers = ["layer1", "layer2"], Channels = "0", Thresholds = [1], Size = 32, Batch = 1, Seed = 0, Transforms = false,
        };
        var plan = GalleryPlan.Create(options, new Dictionary<string, int> { ["layer1"] = 64, ["layer2"] = 128 });

        int[] fields = GalleryExamples.ReceptiveFields(plan, model, 64);

        // ResNet-18: conv1 7x7/2 (7), max pool 3x3/2 (11), layer1 four 3x3 convolutions at stride 4 (43, measured in steps of 2);
        // layer2 sees 99 pixels: more than the 64 x 64 image.
        fields.Should().Equal(44, 64);
    }

    [Fact]
    public void A_dataset_folder_is_listed_sorted_and_recursive_without_links_and_a_list_file_stays_inside_its_folder()
    {
        string root = Path.Combine(Path.GetTempPath(), "lucent-dataset-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            TestImages.CreateDataset(root, 6);
            File.WriteAllText(Path.Combine(root, "notes.txt"), "not an image");
            File.CreateSymbolicLink(Path.Combine(root, "link.png"), Path.Combine(TestImages.PhotosFolder, "coffee.png"));
            var (folder, files) = DatasetOptions.List(root);
            folder.Should().Be(root);
            files.Should().HaveCount(6).And.BeInAscendingOrder(StringComparer.Ordinal).And.NotContain("link.png").And.NotContain("notes.txt");
            files.Should().Contain(f => f.Contains('/', StringComparison.Ordinal), "subfolders are read");

            string list = Path.Combine(root, "list.txt");
            File.WriteAllText(list, $"# two images\n{files[1]}\n\n{Path.Combine(root, files[0])}\n");
            DatasetOptions.List(list).Files.Should().Equal(files[0], files[1]);
            File.WriteAllText(list, "../outside.png\n");
            var outside = () => DatasetOptions.List(list);
            outside.Should().Throw<ToolException>().WithMessage("*'..'*");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

/// <summary>The JPEG path of the Imaging package: limits from the frame header before any decode.</summary>
public sealed class SafeJpegLoaderTests
{
    private static byte[] Jpeg => File.ReadAllBytes(Path.Combine(TestImages.PhotosFolder, "rocket.jpg"));

    [Fact]
    public void A_jpeg_decodes_to_rgb_at_its_size()
    {
        var image = SafeJpegLoader.Decode(Jpeg);
        (image.Width, image.Height, image.Channels).Should().Be((64, 64, 3));
        image.Pixels.Should().OnlyContain(v => v >= 0 && v <= 1);
        SafeJpegLoader.ReadSize(Jpeg).Should().Be((64, 64));
    }

    [Fact]
    public void A_frame_header_over_the_limits_is_refused_before_decoding()
    {
        var bomb = () => SafeJpegLoader.Decode(TestImages.JpegBomb(Jpeg, 65_000, 65_000));
        bomb.Should().Throw<ImageTooLargeException>().WithMessage("*65000x65000*");
        var small = () => SafeJpegLoader.Decode(Jpeg, new ImageDecodeLimits { MaxPixels = 100 });
        small.Should().Throw<ImageTooLargeException>().WithMessage("*4096 pixels*");
        var file = () => SafeJpegLoader.Decode(Jpeg, new ImageDecodeLimits { MaxFileBytes = 100 });
        file.Should().Throw<ImageTooLargeException>();
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("empty")]
    [InlineData("png")]
    [InlineData("zero size")]
    [InlineData("segment longer than the file")]
    public void Bad_data_is_an_InvalidJpegException(string kind)
    {
        byte[] jpeg = Jpeg;
        byte[] data = kind switch
        {
            "truncated" => jpeg[..(jpeg.Length / 2)],
            "empty" => [],
            "png" => File.ReadAllBytes(Path.Combine(TestImages.PhotosFolder, "coffee.png")),
            "zero size" => TestImages.JpegBomb(jpeg, 0, 64),
            "segment longer than the file" => [0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0, 0],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var decode = () => SafeJpegLoader.Decode(data);
        decode.Should().Throw<InvalidJpegException>();
    }
}
