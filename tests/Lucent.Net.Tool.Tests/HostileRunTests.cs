using System.Globalization;
using System.Text.Json.Nodes;
using Lucent.Net.Tool.CommandLine;
using Lucent.Net.Tool.Gallery;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// <c>gallery run</c> and <c>gallery status</c> over a gallery folder an attacker could write, and two workers on the
/// same units: nothing is written or deleted outside the gallery, bad files are errors or "not done", never crashes.
/// </summary>
public sealed class HostileRunTests
{
    private const string Guid32 = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Run_and_site_refuse_a_plan_whose_ids_or_folders_leave_the_gallery()
    {
        using var gallery = SyntheticGallery.Create();
        string victim = Path.Combine(gallery.Root, "victim", "precious." + Guid32);
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "keep.txt"), "keep");
        Directory.CreateDirectory(Path.Combine(gallery.Dir, GalleryFiles.StagingFolder));
        gallery.EditPlan(json => json["units"]![0]!["id"] = "../../victim/precious");

        var (code, output) = await ToolProcess.RunAsync("gallery", "run", gallery.Dir, "--threads", "1");

        code.Should().Be(ExitCodes.Conflict, output);
        output.Trim().Should().StartWith("error: ").And.Contain("units[0] ('../../victim/precious') differs in its id").And.NotContain("   at ");
        File.ReadAllText(Path.Combine(victim, "keep.txt")).Should().Be("keep");

        gallery.EditPlan(json =>
        {
            json["units"]![0]!["id"] = gallery.Plan.Units[0].Id;
            json["layers"]![0]!["folder"] = "../../outside";
        });
        var (siteCode, siteOutput) = await ToolProcess.RunAsync("gallery", "site", gallery.Dir);
        siteCode.Should().Be(ExitCodes.Conflict, siteOutput);
        siteOutput.Should().Contain("layers[0].folder is '../../outside', but layer 'layer1' has the folder 'layer1'");
        Directory.EnumerateFiles(gallery.Root, "*.html", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Theory]
    [InlineData("size", 1 << 20, "--size must be between 8 and 2048; got 1048576")]
    [InlineData("inputSize", 1 << 20, "--input-size must be between 8 and 2048; got 1048576")]
    [InlineData("batch", 200_000, "--batch must be between 1 and 1024; got 200000")]
    [InlineData("steps", int.MaxValue, "--steps must be between 1 and 100000; got 2147483647")]
    public async Task Run_refuses_values_the_plan_command_refuses_even_with_the_hash_recomputed(string option, int value, string message)
    {
        using var gallery = SyntheticGallery.Create();
        gallery.EditPlan(
            json =>
            {
                var options = json["options"]!.AsObject();
                if (option == "steps")
                {
                    options["thresholds"] = new JsonArray(2, value);
                }
                else
                {
                    options[option] = value;
                }
            },
            rehash: true);

        var (code, output) = await ToolProcess.RunAsync("gallery", "run", gallery.Dir, "--threads", "1");

        code.Should().Be(ExitCodes.Error, output);
        output.Trim().Should().StartWith("error: ").And.Contain(message).And.Contain("is not a valid gallery plan");
        output.Trim().Split('\n').Should().ContainSingle("one line, no stack trace");
    }

    [Fact]
    public async Task Plan_refuses_an_input_size_out_of_bounds_with_the_same_check_as_run()
    {
        string root = Path.Combine(Path.GetTempPath(), "lucent-input-size-" + System.Guid.NewGuid().ToString("N")[..8]);
        string dir = Path.Combine(root, "gallery");

        var (code, output) = await ToolProcess.RunAsync(
            "gallery", "plan", "resnet18", "--layers", "layer1", "--channels", "0-1", "--steps", "2", "--input-size", "1048576", "--out", dir);

        code.Should().Be(ExitCodes.Error, output);
        output.Trim().Should().Be("error: --input-size must be between 8 and 2048; got 1048576.");
        Directory.Exists(root).Should().BeFalse("nothing is written for a refused plan");
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("/etc")]
    [InlineData("a\\b")]
    [InlineData("x\u0000y")]
    [InlineData("\"><img>")]
    public void Paths_are_made_only_of_plain_names(string part)
    {
        using var gallery = SyntheticGallery.Create();
        var inside = () => GalleryPaths.Inside(gallery.Dir, GalleryFiles.LayersFolder, part);
        inside.Should().Throw<GalleryFileException>().WithMessage("*is not a plain file or folder name*");
        GalleryPaths.Inside(gallery.Dir, GalleryFiles.LayersFolder, "layer1", "c0000.json").Should().Be(Path.Combine(Path.GetFullPath(gallery.Dir), "layers", "layer1", "c0000.json"));
    }

    [Fact]
    public void Done_markers_that_are_empty_null_foreign_or_absurd_count_as_not_done()
    {
        using var gallery = SyntheticGallery.Create("resnet18", "layer1", "layer2");
        var units = gallery.Plan.Units;
        units.Should().HaveCount(4);
        string done = Path.Combine(gallery.Dir, GalleryFiles.DoneFolder);
        Directory.CreateDirectory(done);
        string Marker(GalleryUnit unit) => Path.Combine(done, unit.Id + ".json");
        File.WriteAllText(Marker(units[0]), "{}");
        File.WriteAllText(Marker(units[1]), gallery.DoneMarker(units[1]).Replace($"\"{units[1].Id}\"", "null", StringComparison.Ordinal));
        File.WriteAllText(Marker(units[2]), gallery.DoneMarker(units[3])); // another unit's marker under this unit's name
        File.WriteAllText(Marker(units[3]), gallery.DoneMarker(units[3]).Replace("1.25", "1e308", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(done, "stray.json"), "not json");

        GalleryFiles.ReadDone(gallery.Dir, gallery.Plan).Should().BeEmpty();
        var status = GalleryStatusReport.Read(gallery.Dir, 1);
        status.FormatSummary().Should().Contain("0/8 channels done").And.Contain("ETA unknown");

        File.WriteAllText(Marker(units[3]), gallery.DoneMarker(units[3]));
        GalleryFiles.ReadDone(gallery.Dir, gallery.Plan).Keys.Should().Equal(units[3].Id);
        GalleryStatusReport.Read(gallery.Dir, 1).FormatSummary().Should().Contain("2/8 channels done");
    }

    [Fact]
    public void A_status_whose_estimate_exceeds_a_time_span_has_no_estimate()
    {
        var report = new GalleryStatusReport(new string('a', 32), [], DoneImageSteps: 1, PendingImageSteps: long.MaxValue / 2, WorkerSeconds: GalleryLimits.MaxUnitSeconds, Workers: 1);
        report.EstimatedRemaining.Should().BeNull();
        report.FormatSummary().Should().Contain("ETA unknown");
    }

    [Fact]
    public async Task A_linked_layer_folder_fails_its_unit_and_nothing_lands_outside()
    {
        string root = Path.Combine(Path.GetTempPath(), "lucent-linked-" + System.Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string dir = await PlanAsync(root, "0-1", steps: 2, batch: 2);
            string outside = Path.Combine(root, "outside");
            Directory.CreateDirectory(outside);
            Directory.CreateSymbolicLink(Path.Combine(dir, GalleryFiles.LayersFolder), outside);

            var (code, output) = await ToolProcess.RunAsync("gallery", "run", dir, "--threads", "1");

            code.Should().Be(ExitCodes.FailedUnits, output);
            output.Should().Contain("failed: ").And.Contain("layers' is a symbolic link");
            Directory.EnumerateFileSystemEntries(outside).Should().BeEmpty();
            Directory.Exists(Path.Combine(dir, GalleryFiles.DoneFolder)).Should().BeFalse();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_unit_another_worker_finished_meanwhile_is_skipped_not_failed()
    {
        string root = Path.Combine(Path.GetTempPath(), "lucent-overlap-" + System.Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // Unit 1 must still be rendering when the other worker's marker appears: at 32 px a step of layer1 takes a few
            // milliseconds on an idle machine, so 60 steps finished both units before the marker was written (seen once in CI).
            string dir = await PlanAsync(root, "0-1", steps: 2000, batch: 1);
            var plan = GalleryPlan.Load(dir);
            using var worker = ToolProcess.Start("gallery", "run", dir, "--threads", "1");
            (await worker.WaitForOutputAsync("[1/2] layer1-0000-0000: rendering", TimeSpan.FromMinutes(2))).Should().BeTrue(worker.Output);

            // Another worker (an overlapping shard) finishes unit 2 while this one renders unit 1.
            var second = plan.Units[1];
            var marker = new UnitRecord(second.Id, plan.OptionsHash, plan.Options.Thresholds.Count, plan.Options.Steps, 0.5, "other:1 shard 1/2", DateTimeOffset.UtcNow);
            Lucent.Net.Imaging.AtomicFile.WriteAllText(Path.Combine(dir, GalleryFiles.DoneFolder, second.Id + ".json"), System.Text.Json.JsonSerializer.Serialize(marker, GalleryJson.Indented));

            (await worker.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, worker.Output);
            worker.Output.Should().Contain("[2/2] layer1-0001-0001: done by another worker, skipped")
                .And.Contain("Summary: 1 rendered, 1 skipped, 0 failed units");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Two_workers_on_overlapping_units_both_succeed_and_leave_no_staging()
    {
        string root = Path.Combine(Path.GetTempPath(), "lucent-two-" + System.Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string dir = await PlanAsync(root, "0-5", steps: 3, batch: 1);
            using var whole = ToolProcess.Start("gallery", "run", dir, "--threads", "1");
            using var shard = ToolProcess.Start("gallery", "run", dir, "--shard", "1/2", "--threads", "1");

            (await whole.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, whole.Output);
            (await shard.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, shard.Output);

            whole.Output.Should().Contain(" 0 failed units");
            shard.Output.Should().Contain(" 0 failed units");
            Directory.EnumerateFiles(Path.Combine(dir, GalleryFiles.DoneFolder), "*.json").Should().HaveCount(6);
            Directory.EnumerateFiles(Path.Combine(dir, GalleryFiles.LayersFolder, "layer1")).Should().HaveCount(6 * 2);
            Directory.Exists(Path.Combine(dir, GalleryFiles.StagingFolder)).Should().BeFalse();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<string> PlanAsync(string root, string channels, int steps, int batch)
    {
        string dir = Path.Combine(root, "gallery");
        var (code, output) = await ToolProcess.RunAsync(
            "gallery", "plan", "resnet18", "--layers", "layer1", "--channels", channels, "--steps", steps.ToString(CultureInfo.InvariantCulture),
            "--size", "32", "--input-size", "32", "--batch", batch.ToString(CultureInfo.InvariantCulture), "--kinds", "channel", "--out", dir);
        code.Should().Be(0, output);
        return dir;
    }
}
