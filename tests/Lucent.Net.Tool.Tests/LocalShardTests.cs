namespace Lucent.Net.Tool.Tests;

[Collection(GalleryCollection.Name)]
public sealed class LocalShardTests(GalleryFixture gallery)
{
    [Fact]
    public async Task Three_concurrent_shards_with_one_killed_mid_unit_and_restarted_equal_a_single_process_run()
    {
        string dir = await gallery.NewPlanAsync("local-shards");
        using var shard0 = ToolProcess.Start("gallery", "run", dir, "--shard", "0/3", "--threads", "1");
        using var shard1 = ToolProcess.Start("gallery", "run", dir, "--shard", "1/3", "--threads", "1");
        using var shard2 = ToolProcess.Start("gallery", "run", dir, "--shard", "2/3", "--threads", "1");

        // Shard 1 owns units 1 and 4 (layer1-0002-0003, layer2-0002-0003): kill it while it renders its second one.
        (await shard1.WaitForOutputAsync("[2/2] layer2-0002-0003: rendering", TimeSpan.FromMinutes(3))).Should().BeTrue(shard1.Output);
        shard1.Kill();
        await shard1.WaitAsync(TimeSpan.FromMinutes(1));
        shard1.Output.Should().NotContain("[2/2] layer2-0002-0003: rendered");
        File.Exists(Path.Combine(dir, "done", "layer2-0002-0003.json")).Should().BeFalse("the killed unit never finished");

        (await shard0.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, shard0.Output);
        (await shard2.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, shard2.Output);

        var (restarted, restartOutput) = await ToolProcess.RunAsync("gallery", "run", dir, "--shard", "1/3", "--threads", "1");
        restarted.Should().Be(0, restartOutput);
        restartOutput.Should().Contain("Summary: 1 rendered, 1 skipped, 0 failed units");
        gallery.ShouldEqualReference(dir);

        var (second, secondOutput) = await ToolProcess.RunAsync("gallery", "run", dir, "--threads", "1");
        second.Should().Be(0, secondOutput);
        secondOutput.Should().Contain($"Summary: 0 rendered, {GalleryFixture.Units} skipped, 0 failed units");
        gallery.ShouldEqualReference(dir);
    }

    [Fact]
    public async Task Status_counts_done_and_pending_channels_with_throughput()
    {
        var (code, output) = await ToolProcess.RunAsync("gallery", "status", gallery.Reference, "--workers", "3");
        code.Should().Be(0, output);
        output.Should().Contain("layer1").And.Contain("6/6").And.Contain("12/12 channels done, 0 image-steps pending").And.Contain("image-steps/s per worker");
    }
}
