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
        string? missing = SlurmCluster.MissingReason();
        if (missing is not null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI must run the Slurm test: " + missing);
        }

        Skip.If(missing is not null, missing);
        string dir = await gallery.NewPlanAsync("slurm");
        using var cluster = SlurmCluster.Start(Path.Combine(gallery.Root, "slurm-cluster"));
        string deployed = File.ReadAllText(Path.Combine(ToolProcess.RepositoryRoot, "deploy", "slurm", "gallery.sbatch"));
        string script = Path.Combine(gallery.Root, "gallery.sbatch");
        File.WriteAllText(script, Regex.Replace(
            Regex.Replace(Regex.Replace(deployed, @"^#SBATCH --gres=.*$\n", string.Empty, RegexOptions.Multiline), @"^#SBATCH --array=.*$", "#SBATCH --array=0-2", RegexOptions.Multiline),
            @"^SHARDS=\d+$", "SHARDS=3", RegexOptions.Multiline));
        string logs = Path.Combine(gallery.Root, "slurm-logs");
        Directory.CreateDirectory(logs);
        string job = cluster.Submit(script, "--chdir", logs, "--cpus-per-task=1", "--mem=1000", $"--export=ALL,GALLERY_DIR={dir},LUCENT=dotnet {ToolProcess.Dll},DEVICE=cpu,THREADS=1");
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
