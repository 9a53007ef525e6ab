namespace Lucent.Net.Tool.Tests;

[Collection(GalleryCollection.Name)]
public sealed class LocalShardTests(GalleryFixture gallery)
{
    [Theory]
    [InlineData("rendered")]
    [InlineData("staged")]
    [InlineData("moved")]
    public async Task Three_concurrent_shards_with_one_killed_mid_unit_and_restarted_equal_a_single_process_run(string crashPoint)
    {
        string dir = await gallery.NewPlanAsync("local-shards-" + crashPoint);
        using var shard0 = ToolProcess.Start("gallery", "run", dir, "--shard", "0/3", "--threads", "1");
        using var shard2 = ToolProcess.Start("gallery", "run", dir, "--shard", "2/3", "--threads", "1");

        // Shard 1 owns units 1 and 4 (layer1-0002-0003, layer2-0002-0003): it is killed (SIGKILL, by itself, at the
        // injected crash point, so the kill lands inside the unit however fast or loaded the machine is) in its second.
        const string killed = "layer2-0002-0003";
        using var shard1 = ToolProcess.Start(
            new Dictionary<string, string> { ["LUCENT_NET_CRASH_AT"] = killed + ":" + crashPoint },
            "gallery", "run", dir, "--shard", "1/3", "--threads", "1");
        (await shard1.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(128 + 9, "the worker was killed by SIGKILL: " + shard1.Output);
        shard1.Output.Should().Contain("[1/2] layer1-0002-0003: rendered").And.Contain($"[2/2] {killed}: rendering").And.NotContain($"[2/2] {killed}: rendered");
        File.Exists(Path.Combine(dir, "done", killed + ".json")).Should().BeFalse("the killed unit never finished");
        var finalFiles = Directory.Exists(Path.Combine(dir, "layers", "layer2"))
            ? Directory.EnumerateFiles(Path.Combine(dir, "layers", "layer2")).Count(f => Path.GetFileName(f).StartsWith("c0002", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("c0003", StringComparison.Ordinal))
            : 0;
        finalFiles.Should().Be(crashPoint == "moved" ? 1 : 0, "at 'moved' exactly one of the unit's files reached its final path");
        if (crashPoint != "rendered")
        {
            Directory.EnumerateDirectories(Path.Combine(dir, ".staging"), killed + ".*").Should().ContainSingle("the killed worker's staging folder is left behind");
        }

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
