using System.Text.Json.Nodes;
using Lucent.Net.Tool.CommandLine;
using Lucent.Net.Tool.Gallery;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// gallery.json is untrusted input (a shared folder): <see cref="GalleryPlan.Load"/> accepts exactly the plans
/// <c>gallery plan</c> makes, and refuses every other with a one-line <see cref="ToolException"/>, before any path
/// from it is used.
/// </summary>
public sealed class HostilePlanTests
{
    public static TheoryData<string> PathEdits => new()
    {
        "layer folder ../evil",
        "layer folder absolute",
        "unit id ../../../../victim/precious",
        "unit id absolute",
        "unit folder ../../outside",
        "unit folder absolute",
        "unit folder of the other layer",
        "unit layer renamed",
        "unit seed changed",
        "unit channels duplicated",
        "unit channels outside its layer",
        "unit duplicated",
        "unit removed",
        "layer channels duplicated",
        "layer modelChannels 2^31-1",
        "layer folder script",
    };

    [Theory]
    [MemberData(nameof(PathEdits))]
    public void A_plan_whose_layers_or_units_are_not_the_ones_its_options_give_is_refused(string edit)
    {
        using var gallery = SyntheticGallery.Create("resnet18", "layer1", "layer2");
        gallery.EditPlan(json =>
        {
            var layer = json["layers"]![0]!.AsObject();
            var units = json["units"]!.AsArray();
            var unit = units[0]!.AsObject();
            switch (edit)
            {
                case "layer folder ../evil": layer["folder"] = "../evil"; break;
                case "layer folder absolute": layer["folder"] = "/tmp/evil"; break;
                case "unit id ../../../../victim/precious": unit["id"] = "../../../../victim/precious"; break;
                case "unit id absolute": unit["id"] = "/tmp/precious"; break;
                case "unit folder ../../outside": unit["folder"] = "../../outside"; break;
                case "unit folder absolute": unit["folder"] = "/tmp/outside"; break;
                case "unit folder of the other layer": unit["folder"] = "layer2"; break;
                case "unit layer renamed": unit["layer"] = "layer2"; break;
                case "unit seed changed": unit["seed"] = 12345; break;
                case "unit channels duplicated": unit["channels"] = new JsonArray(0, 0); break;
                case "unit channels outside its layer": unit["channels"] = new JsonArray(0, 7); break;
                case "unit duplicated": units.Add(unit.DeepClone()); break;
                case "unit removed": units.RemoveAt(1); break;
                case "layer channels duplicated": layer["channels"] = new JsonArray(0, 0, 1, 2, 3); break;
                case "layer modelChannels 2^31-1": layer["modelChannels"] = int.MaxValue; break;
                case "layer folder script": layer["folder"] = "\"><img src=x onerror=alert(1)>"; break;
                default: throw new ArgumentOutOfRangeException(nameof(edit));
            }
        });

        var load = () => GalleryPlan.Load(gallery.Dir);

        var error = load.Should().Throw<ToolException>().Which;
        error.Message.Should().NotContainAny("\n", "\r").And.Contain(GalleryPlan.FileName);
        error.Message.Should().ContainAny("was edited", "not a valid gallery plan", "not a gallery plan");
    }

    public static TheoryData<string, string> OptionEdits => new()
    {
        // Values `gallery plan` refuses, written with the hash recomputed: refused by Load with the option's name.
        { "size 2^20", "--size must be between 8 and 2048" },
        { "inputSize 2^20", "--input-size must be between 8 and 2048" },
        { "steps 2^31-1", "--steps must be between 1 and 100000" },
        { "batch 200000", "--batch must be between 1 and 1024" },
        { "microBatch 0", "--micro-batch must be between 1 and" },
        { "microBatch over the batch", "--micro-batch must be between 1 and" },
        { "thresholds []", "--thresholds" },
        { "thresholds null", "not a gallery plan" },
        { "thresholds decreasing", "--thresholds must be increasing" },
        { "layers [null]", "layer name" },
        { "layers null", "not a gallery plan" },
        { "layers empty", "--layers must name" },
        { "model null", "not a gallery plan" },
        { "model with a newline", "the model must be" },
        { "channels 200000", "was edited" },
        { "layer name ../../x", "was edited" },
        { "options null", "not a gallery plan" },
        { "options missing", "not a gallery plan" },
        { "units null", "not a gallery plan" },
        { "units [null]", "was edited" },
        { "layers[] [null]", "was edited" },
        { "format other", "is not a lucent-gallery/1 gallery plan" },
    };

    [Theory]
    [MemberData(nameof(OptionEdits))]
    public void Missing_null_and_out_of_bounds_values_are_one_line_errors(string edit, string message)
    {
        using var gallery = SyntheticGallery.Create();
        gallery.EditPlan(
            json =>
            {
                var options = json["options"]!.AsObject();
                switch (edit)
                {
                    case "size 2^20": options["size"] = 1 << 20; break;
                    case "inputSize 2^20": options["inputSize"] = 1 << 20; break;
                    case "steps 2^31-1": options["thresholds"] = new JsonArray(2, int.MaxValue); break;
                    case "batch 200000": options["batch"] = 200_000; break;
                    case "microBatch 0": options["microBatch"] = 0; break;
                    case "microBatch over the batch": options["microBatch"] = options["batch"]!.GetValue<int>() + 1; break;
                    case "thresholds []": options["thresholds"] = new JsonArray(); break;
                    case "thresholds null": options["thresholds"] = null; break;
                    case "thresholds decreasing": options["thresholds"] = new JsonArray(4, 2); break;
                    case "layers [null]": options["layers"] = new JsonArray((JsonNode?)null); break;
                    case "layers null": options["layers"] = null; break;
                    case "layers empty": options["layers"] = new JsonArray(); break;
                    case "model null": options["model"] = null; break;
                    case "model with a newline": options["model"] = "resnet18\nerror: forged"; break;
                    case "channels 200000": options["channels"] = "0-199999"; break;
                    case "layer name ../../x": options["layers"] = new JsonArray("../../x"); break;
                    case "options null": json["options"] = null; break;
                    case "options missing": json.Remove("options"); break;
                    case "units null": json["units"] = null; break;
                    case "units [null]": json["units"] = new JsonArray((JsonNode?)null); break;
                    case "layers[] [null]": json["layers"] = new JsonArray((JsonNode?)null); break;
                    case "format other": json["format"] = "lucent-gallery/2"; break;
                    default: throw new ArgumentOutOfRangeException(nameof(edit));
                }
            },
            rehash: !edit.StartsWith("options", StringComparison.Ordinal));

        var load = () => GalleryPlan.Load(gallery.Dir);

        var error = load.Should().Throw<ToolException>().Which;
        error.Message.Should().Contain(message).And.NotContainAny("\n", "\r");
    }

    [Fact]
    public void A_truncated_bit_flipped_or_duplicated_key_plan_is_an_error_not_a_crash()
    {
        using var gallery = SyntheticGallery.Create();
        byte[] good = File.ReadAllBytes(gallery.PlanPath);
        var random = new Random(19);
        var variants = new List<byte[]> { good[..(good.Length / 2)], Array.Empty<byte>(), "{\"format\":\"lucent-gallery/1\",\"format\":\"lucent-gallery/1\"}"u8.ToArray() };
        for (int i = 0; i < 200; i++)
        {
            byte[] flipped = (byte[])good.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            variants.Add(flipped);
        }

        int refused = 0;
        foreach (byte[] bytes in variants)
        {
            File.WriteAllBytes(gallery.PlanPath, bytes);
            try
            {
                GalleryPlan.Load(gallery.Dir).Should().BeEquivalentTo(gallery.Plan, "a flip that still loads (e.g. in white space) must give the same plan");
            }
            catch (ToolException e)
            {
                e.Message.Should().NotContainAny("\n", "\r");
                refused++;
            }
        }

        refused.Should().BeGreaterThan(150, "nearly every flip breaks the JSON, the hash or the derivation");
    }

    [Fact]
    public void A_plan_that_is_a_link_a_folder_or_too_large_is_refused()
    {
        using var gallery = SyntheticGallery.Create();
        string target = Path.Combine(gallery.Root, "elsewhere.json");
        File.Move(gallery.PlanPath, target);
        File.CreateSymbolicLink(gallery.PlanPath, target);
        ((Action)(() => GalleryPlan.Load(gallery.Dir))).Should().Throw<GalleryFileException>().WithMessage("*symbolic link*");

        File.Delete(gallery.PlanPath);
        File.CreateSymbolicLink(gallery.PlanPath, "/dev/zero");
        ((Action)(() => GalleryPlan.Load(gallery.Dir))).Should().Throw<GalleryFileException>().WithMessage("*symbolic link*");

        File.Delete(gallery.PlanPath);
        Directory.CreateDirectory(gallery.PlanPath);
        ((Action)(() => GalleryPlan.Load(gallery.Dir))).Should().Throw<GalleryFileException>().WithMessage("*is a folder*");

        Directory.Delete(gallery.PlanPath);
        using (var stream = File.Create(gallery.PlanPath))
        {
            stream.SetLength(GalleryLimits.MaxPlanFileBytes + 1);
        }

        ((Action)(() => GalleryPlan.Load(gallery.Dir))).Should().Throw<GalleryFileException>().WithMessage("*at most 67108864*");
    }

    [Fact]
    public void Plan_and_load_share_one_validation()
    {
        var options = new GalleryOptions
        {
            Model = "resnet18",
            Layers = ["layer1"],
            Channels = "all",
            Thresholds = [4],
            Size = GalleryLimits.MaxSize + 1,
            Batch = 1,
            Seed = 0,
            Transforms = true,
        };
        var create = () => GalleryPlan.Create(options, new Dictionary<string, int> { ["layer1"] = 4 });
        create.Should().Throw<ToolException>().WithMessage("--size must be between 8 and 2048; got 2049.");

        var tooWide = () => GalleryPlan.Create(options with { Size = 8 }, new Dictionary<string, int> { ["layer1"] = GalleryLimits.MaxLayerChannels + 1 });
        tooWide.Should().Throw<ToolException>().WithMessage("*1 to 65536 channels*");

        var thresholds = () => GalleryPlan.Create(options with { Size = 8, Thresholds = Enumerable.Range(1, GalleryLimits.MaxThresholds + 1).ToArray() }, new Dictionary<string, int> { ["layer1"] = 4 });
        thresholds.Should().Throw<ToolException>().WithMessage("--thresholds: a plan keeps 1 to 1000 images*");
    }

    [Fact]
    public void Overlapping_channel_ranges_cost_the_channels_not_the_ranges()
    {
        string text = string.Join(',', Enumerable.Repeat("0-65535", 500));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var channels = ChannelSelection.Parse(text, 65_536, "x");
        clock.Stop();
        channels.Should().HaveCount(65_536).And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
        ChannelSelection.Parse("3,1-2,2,0", 8, "x").Should().Equal(0, 1, 2, 3);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "500 full ranges are merged, not added one channel at a time");
    }
}
