using System.Text.RegularExpressions;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// The real one-node Slurm cluster on a plan with both kinds of work (every kind of render and dataset examples). In the
/// gallery collection, so it never runs beside the other Slurm test (one cluster at a time).
/// </summary>
[Collection(GalleryCollection.Name)]
public sealed class SlurmMicroscopeTests(MicroscopeFixture gallery) : IClassFixture<MicroscopeFixture>
{
    [SkippableFact]
    public async Task A_three_task_array_runs_render_and_dataset_units_and_equals_a_single_process_run()
    {
        SlurmCluster.SkipUnlessAvailable();
        string dir = await gallery.NewPlanAsync("slurm");
        using var cluster = SlurmCluster.Start(Path.Combine(gallery.Root, "slurm-cluster"));
        var (script, logs) = SlurmCluster.WriteGalleryScript(gallery.Root);
        string job = cluster.Submit(script, SlurmCluster.GalleryOptions(logs, dir));
        await cluster.WaitForJobAsync(job, TimeSpan.FromMinutes(6));

        string all = string.Concat(Enumerable.Range(0, 3).Select(i => File.ReadAllText(Path.Combine(logs, $"lucent-gallery-{job}_{i}.out"))));
        all.Should().Contain("dataset examples of images").And.Contain("rendering diversity of").And.Contain("skipped image 'bad/bomb.png'");
        Regex.Matches(all, @"Summary: \d+ rendered, 0 skipped, 0 failed units").Should().HaveCount(3, all);
        var expected = MicroscopeFixture.Outputs(gallery.Reference);
        var actual = MicroscopeFixture.Outputs(dir);
        actual.Keys.Should().Equal(expected.Keys);
        foreach (var (name, bytes) in expected)
        {
            actual[name].AsSpan().SequenceEqual(bytes).Should().BeTrue($"{name} must be byte-identical to the single-process run");
        }
    }
}
