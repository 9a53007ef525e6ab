using Lucent.Net.Tool.CommandLine;
using Lucent.Net.Tool.Gallery;

namespace Lucent.Net.Tool.Tests;

[Collection(GalleryCollection.Name)]
public sealed class PlanTests(GalleryFixture gallery)
{
    [Fact]
    public async Task The_same_options_give_the_same_plan_byte_for_byte()
    {
        string other = await gallery.NewPlanAsync("plan-again-" + Guid.NewGuid().ToString("N")[..6]);
        File.ReadAllBytes(Path.Combine(other, GalleryPlan.FileName)).Should().Equal(File.ReadAllBytes(Path.Combine(gallery.Reference, GalleryPlan.FileName)));
        var plan = GalleryPlan.Load(other);
        plan.Units.Select(u => u.Id).Should().Equal(
            "layer1-0000-0001", "layer1-0002-0003", "layer1-0004-0005", "layer2-0000-0001", "layer2-0002-0003", "layer2-0004-0005");
        plan.Units.Select(u => u.Seed).Should().OnlyHaveUniqueItems();
        plan.Units[0].Seed.Should().Be(GalleryPlan.UnitSeed(7, "layer1-0000-0001"));
    }

    [Fact]
    public async Task Planning_other_options_into_a_gallery_is_refused_and_changes_nothing()
    {
        string dir = await gallery.NewPlanAsync("conflict-" + Guid.NewGuid().ToString("N")[..6]);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, GalleryPlan.FileName));
        string[] other = [.. GalleryFixture.PlanOptions];
        other[Array.IndexOf(other, "--seed") + 1] = "8";
        var (code, output) = await ToolProcess.RunAsync(["gallery", "plan", .. other, "--out", dir]);
        code.Should().Be(ExitCodes.Conflict, output);
        output.Should().Contain("error: ").And.Contain("already holds a plan with other options (seed differ");
        File.ReadAllBytes(Path.Combine(dir, GalleryPlan.FileName)).Should().Equal(before);

        // The same options again: accepted, nothing changes.
        var (again, againOutput) = await ToolProcess.RunAsync(["gallery", "plan", .. GalleryFixture.PlanOptions, "--out", dir]);
        again.Should().Be(0, againOutput);
        againOutput.Should().Contain("the same plan is already there");
    }

    [Fact]
    public async Task The_micro_batch_is_pinned_in_the_plan_and_every_worker_uses_it()
    {
        // The fixture's plan (no --micro-batch, batches of 2): the default 4, cut to the batch.
        GalleryPlan.Load(gallery.Reference).Options.MicroBatch.Should().Be(2);
        gallery.ReferenceOutput.Should().Contain("image-steps/s on this worker; whole batch (pinned by the plan), 1 threads, kernels ");

        string dir = Path.Combine(gallery.Root, "micro-batch-" + Guid.NewGuid().ToString("N")[..6]);
        var (code, output) = await ToolProcess.RunAsync(["gallery", "plan", .. GalleryFixture.PlanOptions, "--micro-batch", "1", "--out", dir]);
        code.Should().Be(0, output);
        output.Should().Contain("Micro-batch: micro-batch 1 (pinned by the plan), --micro-batch 1.");
        var plan = GalleryPlan.Load(dir);
        plan.Options.MicroBatch.Should().Be(1);
        plan.OptionsHash.Should().NotBe(GalleryPlan.Load(gallery.Reference).OptionsHash, "the micro-batch changes images at rounding level, so it is part of the options");

        var (runCode, runOutput) = await ToolProcess.RunAsync("gallery", "run", dir, "--unit", plan.Units[0].Id, "--threads", "1");
        runCode.Should().Be(0, runOutput);
        runOutput.Should().Contain("Summary: 1 rendered, 0 skipped, 0 failed units").And.Contain("micro-batch 1 (pinned by the plan), 1 threads");

        // auto measures on the planning machine (whatever it finds is one of the sizes); planning again into the same
        // folder adopts the pinned value instead of measuring again, so it cannot conflict with itself.
        string auto = Path.Combine(gallery.Root, "micro-batch-auto-" + Guid.NewGuid().ToString("N")[..6]);
        var (autoCode, autoOutput) = await ToolProcess.RunAsync(["gallery", "plan", .. GalleryFixture.PlanOptions, "--micro-batch", "auto", "--out", auto]);
        autoCode.Should().Be(0, autoOutput);
        autoOutput.Should().Contain("measured here: ");
        GalleryPlan.Load(auto).Options.MicroBatch.Should().BeInRange(1, 2);
        var (againCode, againOutput) = await ToolProcess.RunAsync(["gallery", "plan", .. GalleryFixture.PlanOptions, "--micro-batch", "auto", "--out", auto]);
        againCode.Should().Be(0, againOutput);
        againOutput.Should().Contain("the same plan is already there");
    }

    [Theory]
    [InlineData("3")]
    [InlineData("0")]
    [InlineData("fast")]
    public async Task A_micro_batch_that_is_not_auto_whole_or_within_the_batch_is_refused(string value)
    {
        string dir = Path.Combine(gallery.Root, "bad-micro-batch-" + Guid.NewGuid().ToString("N")[..6]);
        var (code, output) = await ToolProcess.RunAsync(["gallery", "plan", .. GalleryFixture.PlanOptions, "--micro-batch", value, "--out", dir]);
        code.Should().Be(ExitCodes.Error, output);
        output.Should().Contain("--micro-batch must be auto, whole or a number from 1 to --batch (2)");
        File.Exists(Path.Combine(dir, GalleryPlan.FileName)).Should().BeFalse();
    }

    [Fact]
    public async Task Run_refuses_a_plan_whose_options_were_edited()
    {
        string dir = await gallery.NewPlanAsync("edited-" + Guid.NewGuid().ToString("N")[..6]);
        string path = Path.Combine(dir, GalleryPlan.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"steps\"", "\"steps\"", StringComparison.Ordinal).Replace("\"size\": 32", "\"size\": 64", StringComparison.Ordinal));
        var (code, output) = await ToolProcess.RunAsync("gallery", "run", dir);
        code.Should().Be(ExitCodes.Conflict, output);
        output.Should().Contain("the plan was edited");
        Directory.Exists(Path.Combine(dir, "layers")).Should().BeFalse();
    }

    [Fact]
    public void Unknown_channels_and_bad_ranges_are_clear_errors()
    {
        var act = () => ChannelSelection.Parse("0-70", 64, "layer1");
        act.Should().Throw<ToolException>().WithMessage("*layer 'layer1' has 64 channels (0-63)*");
        ((Action)(() => ChannelSelection.Parse("5-2", 64, "x"))).Should().Throw<ToolException>().WithMessage("*not a channel or a range*");
        ChannelSelection.Parse("0-2,7,1", 64, "x").Should().Equal(0, 1, 2, 7);
        ChannelSelection.Parse("all", 3, "x").Should().Equal(0, 1, 2);
    }

    [Theory]
    [InlineData("2/3", null, null, null, null, null, 2, 3)]
    [InlineData(null, null, "4", "3", "3", null, 1, 3)] // Slurm: ID - MIN, COUNT
    [InlineData(null, null, "4", null, "3", "5", 1, 3)] // Slurm: ID - MIN, MAX - MIN + 1
    [InlineData(null, 8, "5", "1", "5", null, 5, 8)] // Slurm resubmitted alone (--array=5) with --shards: the id is the shard
    [InlineData(null, 4, null, null, null, null, -1, -1)] // --shards without an index: error
    public void Shards_come_from_the_option_or_the_scheduler(string? shard, int? shards, string? slurmId, string? slurmCount, string? slurmMin, string? slurmMax, int index, int count)
    {
        var env = new Dictionary<string, string?>
        {
            ["SLURM_ARRAY_TASK_ID"] = slurmId,
            ["SLURM_ARRAY_TASK_COUNT"] = slurmCount,
            ["SLURM_ARRAY_TASK_MIN"] = slurmMin,
            ["SLURM_ARRAY_TASK_MAX"] = slurmMax,
        };
        var resolve = () => ShardSpec.Resolve(shard, shards, name => env.GetValueOrDefault(name));
        if (index < 0)
        {
            resolve.Should().Throw<ToolException>();
            return;
        }

        var spec = resolve();
        (spec.Index, spec.Count).Should().Be((index, count));
    }

    [Fact]
    public void Kubernetes_indexed_jobs_need_the_shard_count()
    {
        ShardSpec.Resolve(null, 8, name => name == "JOB_COMPLETION_INDEX" ? "6" : null).Should().Be(new ShardSpec(6, 8, "JOB_COMPLETION_INDEX"));
        var act = () => ShardSpec.Resolve(null, null, name => name == "JOB_COMPLETION_INDEX" ? "6" : null);
        act.Should().Throw<ToolException>().WithMessage("*--shards*");
        ((Action)(() => ShardSpec.Resolve(null, 4, name => name == "JOB_COMPLETION_INDEX" ? "4" : null))).Should().Throw<ToolException>().WithMessage("*out of range*");
    }

    [Fact]
    public void Shards_partition_the_units()
    {
        var plan = GalleryPlan.Load(gallery.Reference);
        var all = Enumerable.Range(0, 4).SelectMany(i => plan.UnitsOf(new ShardSpec(i, 4, "test"))).Select(u => u.Id).ToList();
        all.Should().BeEquivalentTo(plan.Units.Select(u => u.Id));
        all.Should().OnlyHaveUniqueItems();
    }
}
