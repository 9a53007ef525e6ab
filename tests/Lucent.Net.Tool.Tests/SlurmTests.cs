using System.Text.RegularExpressions;

namespace Lucent.Net.Tool.Tests;

[Collection(GalleryCollection.Name)]
public sealed class SlurmTests(GalleryFixture gallery)
{
    [SkippableFact]
    public async Task A_three_task_array_with_one_task_cancelled_and_resubmitted_equals_a_single_process_run()
    {
        string? missing = SlurmCluster.MissingReason();
        if (missing is not null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI must run the Slurm test: " + missing);
        }

        Skip.If(missing is not null, missing);
        string dir = await gallery.NewPlanAsync("slurm");
        using var cluster = SlurmCluster.Start(Path.Combine(gallery.Root, "slurm-cluster"));

        // The deployment file users copy, with the three-task array of this plan and without the GPU request (no GPU here).
        string deployed = File.ReadAllText(Path.Combine(ToolProcess.RepositoryRoot, "deploy", "slurm", "gallery.sbatch"));
        string script = Path.Combine(gallery.Root, "gallery.sbatch");
        File.WriteAllText(script, Regex.Replace(
            Regex.Replace(Regex.Replace(deployed, @"^#SBATCH --gres=.*$\n", string.Empty, RegexOptions.Multiline), @"^#SBATCH --array=.*$", "#SBATCH --array=0-2", RegexOptions.Multiline),
            @"^SHARDS=\d+$", "SHARDS=3", RegexOptions.Multiline));
        string logs = Path.Combine(gallery.Root, "slurm-logs");
        Directory.CreateDirectory(logs);
        string[] options =
        [
            "--chdir", logs, "--cpus-per-task=1", "--mem=1000",
            $"--export=ALL,GALLERY_DIR={dir},LUCENT=dotnet {ToolProcess.Dll},DEVICE=cpu,THREADS=1",
        ];

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
