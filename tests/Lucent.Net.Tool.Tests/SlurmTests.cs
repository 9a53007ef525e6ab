namespace Lucent.Net.Tool.Tests;

[Collection(GalleryCollection.Name)]
public sealed class SlurmTests(GalleryFixture gallery)
{
    [SkippableFact]
    public async Task A_three_task_array_with_one_task_cancelled_and_resubmitted_equals_a_single_process_run()
    {
        SlurmCluster.SkipUnlessAvailable();
        string dir = await gallery.NewPlanAsync("slurm");
        using var cluster = SlurmCluster.Start(Path.Combine(gallery.Root, "slurm-cluster"));
        var (script, logs) = SlurmCluster.WriteGalleryScript(gallery.Root);
        string[] options = SlurmCluster.GalleryOptions(logs, dir);

        string job = cluster.Submit(script, options);
        string log1 = Path.Combine(logs, $"lucent-gallery-{job}_1.out");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(File.Exists(log1) && File.ReadAllText(log1).Contains("[2/2] layer2-0002-0003: rendering", StringComparison.Ordinal)))
        {
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(4), "array task 1 should start its second unit");
            await Task.Delay(20);
        }

        cluster.Run("scancel", $"{job}_1");
        await cluster.WaitForJobAsync(job, TimeSpan.FromMinutes(4));
        // Normally the cancel lands mid-unit; on a fast, idle machine the unit may finish first. Either way the
        // resubmitted task must complete the shard and the gallery must equal the single-process one.
        bool finishedBeforeCancel = File.Exists(Path.Combine(dir, "done", "layer2-0002-0003.json"));

        string again = cluster.Submit(script, ["--array=1", .. options]);
        await cluster.WaitForJobAsync(again, TimeSpan.FromMinutes(4));
        string resubmitted = File.ReadAllText(Path.Combine(logs, $"lucent-gallery-{again}_1.out"));
        resubmitted.Should().Contain("shard 1/3").And.Contain(finishedBeforeCancel
            ? "Summary: 0 rendered, 2 skipped, 0 failed units"
            : "Summary: 1 rendered, 1 skipped, 0 failed units");
        gallery.ShouldEqualReference(dir);
    }
}
