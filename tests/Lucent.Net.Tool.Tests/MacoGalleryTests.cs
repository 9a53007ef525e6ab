using System.Text.Json.Nodes;
using Lucent.Net.Tool.CommandLine;
using Lucent.Net.Tool.Gallery;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// Galleries of MACO images (<c>gallery plan --param maco</c>): one channel per unit (MACO's crops are per image), the
/// option part of the plan's hash and of its validation on load, the transparency map written beside each image and
/// shown on the channel page, and shards byte-identical to a single run.
/// </summary>
public sealed class MacoGalleryTests : IDisposable
{
    private static readonly string[] Plan =
        ["resnet18", "--layers", "layer1", "--channels", "0-1", "--steps", "3", "--size", "32", "--input-size", "32", "--seed", "5", "--kinds", "channel", "--param", "maco"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "lucent-maco-gallery-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void A_maco_plan_has_one_channel_per_unit_no_diversity_and_its_own_hash()
    {
        var options = new GalleryOptions
        {
            Model = "resnet18", Layers = ["layer1"], Channels = "0-2", Thresholds = [4], Size = 32, Batch = 1, Seed = 1, Transforms = true,
            Kinds = [GalleryKinds.Channel, GalleryKinds.Neuron],
        };
        var plain = GalleryPlan.Create(options, new Dictionary<string, int> { ["layer1"] = 8 });
        var maco = GalleryPlan.Create(options with { Param = GalleryKinds.Maco }, new Dictionary<string, int> { ["layer1"] = 8 });

        maco.Units.Should().HaveCount(6).And.OnlyContain(u => u.Channels.Count == 1);
        maco.OptionsHash.Should().NotBe(plain.OptionsHash, "the parameterisation decides the images");
        maco.ToJson().Should().Contain("\"param\": \"maco\"");
        plain.ToJson().Should().NotContain("\"param\"", "a plan without --param keeps the JSON (and hash) of plans made before the option");
        (options with { Param = GalleryKinds.Maco }).Differences(options).Should().Equal("param");
    }

    [Theory]
    [InlineData("--batch", "2", "--batch must be 1")]
    [InlineData("--kinds", "channel,diversity", "leave diversity out of --kinds")]
    [InlineData("--size", "2048", "--size must be between 8 and 1024")]
    public async Task Plan_refuses_what_maco_cannot_render(string option, string value, string message)
    {
        string[] args = [.. Plan.Take(7), option, value, "--param", "maco", "--out", Path.Combine(_root, "refused")];
        var (code, output) = await ToolProcess.RunAsync(["gallery", "plan", .. args]);

        code.Should().NotBe(0, output);
        output.Should().Contain(message);
        File.Exists(Path.Combine(_root, "refused", GalleryPlan.FileName)).Should().BeFalse();
    }

    public static TheoryData<string, string> HostileEdits => new()
    {
        { "param pixel", "--param must be fft or maco" },
        { "batch 2", "--batch must be 1" },
        { "kinds with diversity", "leave diversity out of --kinds" },
        { "param removed, not rehashed", "was edited" },
        { "param removed, rehashed", "was edited" },
    };

    [Theory]
    [MemberData(nameof(HostileEdits))]
    public void Load_refuses_an_edited_maco_plan(string edit, string message)
    {
        var options = new GalleryOptions
        {
            Model = "resnet18", Layers = ["layer1"], Channels = "0-3", Thresholds = [2], Size = 16, Batch = 1, Seed = 3, Transforms = true,
            Kinds = [GalleryKinds.Channel], Param = GalleryKinds.Maco,
        };
        string dir = Path.Combine(_root, "hostile");
        Directory.CreateDirectory(dir);
        GalleryPlan.Create(options, new Dictionary<string, int> { ["layer1"] = 8 }).Save(dir);
        GalleryPlan.Load(dir).Options.IsMaco.Should().BeTrue("the plan as made loads");

        SyntheticGallery.EditPlan(Path.Combine(dir, GalleryPlan.FileName), json =>
        {
            var o = json["options"]!.AsObject();
            switch (edit)
            {
                case "param pixel": o["param"] = "pixel"; break;
                case "batch 2": o["batch"] = 2; break;
                case "kinds with diversity": o["kinds"] = new JsonArray("channel", "diversity"); o["diversityImages"] = 2; o["diversityWeight"] = 1.0; break;
                case "param removed, not rehashed": o.Remove("param"); break;

                // A plain plan's units would be the same one-channel blocks (batch 1), but the hash names the options.
                case "param removed, rehashed": o.Remove("param"); o["batch"] = 2; break;
                default: throw new ArgumentOutOfRangeException(nameof(edit));
            }
        }, rehash: edit != "param removed, not rehashed");

        var load = () => GalleryPlan.Load(dir);

        load.Should().Throw<ToolException>().Which.Message.Should().Contain(message).And.NotContainAny("\n", "\r");
    }

    [Fact]
    public async Task Shards_of_a_maco_gallery_equal_one_run_and_the_site_shows_the_transparency_maps()
    {
        string single = Path.Combine(_root, "single"), sharded = Path.Combine(_root, "sharded");
        foreach (string dir in new[] { single, sharded })
        {
            var (planned, planOutput) = await ToolProcess.RunAsync(["gallery", "plan", .. Plan, "--out", dir]);
            planned.Should().Be(0, planOutput);
            planOutput.Should().Contain("2 units");
        }

        var (code, output) = await ToolProcess.RunAsync("gallery", "run", single, "--threads", "1");
        code.Should().Be(0, output);
        foreach (string shard in new[] { "1/2", "0/2" })
        {
            var (shardCode, shardOutput) = await ToolProcess.RunAsync("gallery", "run", sharded, "--shard", shard, "--threads", "1");
            shardCode.Should().Be(0, shardOutput);
            shardOutput.Should().Contain("Summary: 1 rendered, 0 skipped, 0 failed units");
        }

        var expected = GalleryFixture.Outputs(single);
        var actual = GalleryFixture.Outputs(sharded);
        expected.Keys.Should().Equal(
            "layers/layer1/c0000.json", "layers/layer1/c0000_alpha.png", "layers/layer1/c0000_heat.png", "layers/layer1/c0000_s00003.png",
            "layers/layer1/c0001.json", "layers/layer1/c0001_alpha.png", "layers/layer1/c0001_heat.png", "layers/layer1/c0001_s00003.png");
        actual.Keys.Should().Equal(expected.Keys);
        foreach (var (name, bytes) in expected)
        {
            actual[name].AsSpan().SequenceEqual(bytes).Should().BeTrue($"{name} must be byte-identical to the single-process run");
        }

        // PNG colour type (byte 25): 6 = RGBA for the image with its map as alpha, 2 = RGB for the heat map.
        expected["layers/layer1/c0000_alpha.png"][25].Should().Be(6);
        expected["layers/layer1/c0000_heat.png"][25].Should().Be(2);
        expected["layers/layer1/c0000_alpha.png"].Should().NotEqual(expected["layers/layer1/c0001_alpha.png"]);

        var (site, siteOutput) = await ToolProcess.RunAsync("gallery", "site", single);
        site.Should().Be(0, siteOutput);
        siteOutput.Should().NotContain("warning");
        string page = await File.ReadAllTextAsync(Path.Combine(single, "site", "layer1", "c0001.html"));
        page.Should().Contain("src=\"../../layers/layer1/c0001_alpha.png\"").And.Contain("src=\"../../layers/layer1/c0001_heat.png\"")
            .And.Contain("src=\"../../layers/layer1/c0001_s00003.png\"").And.Contain("--batch 1").And.Contain("--param maco");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Temp space, cleaned later.
        }
    }
}
