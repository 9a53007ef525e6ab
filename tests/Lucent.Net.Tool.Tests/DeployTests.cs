using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Lucent.Net.Tool.Tests;

public sealed partial class DeployTests
{
    [Fact]
    public void The_kubernetes_manifest_is_an_indexed_job_whose_shards_match_its_completions()
    {
        string yaml = File.ReadAllText(Path.Combine(ToolProcess.RepositoryRoot, "deploy", "kubernetes", "gallery-job.yaml"));
        var job = KubernetesYaml.Deserialize<V1Job>(yaml);
        job.Kind.Should().Be("Job");
        job.Spec.CompletionMode.Should().Be("Indexed");
        job.Spec.Template.Spec.RestartPolicy.Should().Be("Never");
        var container = job.Spec.Template.Spec.Containers.Should().ContainSingle().Subject;
        var args = container.Args.ToList();
        args.Take(2).Should().Equal("gallery", "run");
        int shards = int.Parse(args[args.IndexOf("--shards") + 1], System.Globalization.CultureInfo.InvariantCulture);
        shards.Should().Be(job.Spec.Completions);
        container.VolumeMounts.Should().Contain(m => m.MountPath == args[2], "the gallery folder is the shared volume");
        job.Spec.Template.Spec.Volumes.Should().Contain(v => v.PersistentVolumeClaim != null);
    }

    [Fact]
    public void The_sbatch_array_matches_its_shard_count_and_runs_the_gallery()
    {
        string script = File.ReadAllText(Path.Combine(ToolProcess.RepositoryRoot, "deploy", "slurm", "gallery.sbatch"));
        var array = ArrayDirective().Match(script);
        array.Success.Should().BeTrue();
        array.Groups[1].Value.Should().Be("0");
        int last = int.Parse(array.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        var shards = ShardsLine().Match(script);
        shards.Success.Should().BeTrue();
        int.Parse(shards.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).Should().Be(last + 1);
        script.Should().Contain("#SBATCH --requeue").And.Contain("#SBATCH --gres=gpu:1");
        script.Should().MatchRegex(@"gallery run ""\$GALLERY_DIR"" --shards ""\$SHARDS""");
    }

    [GeneratedRegex(@"^#SBATCH --array=(\d+)-(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ArrayDirective();

    [GeneratedRegex(@"^SHARDS=(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ShardsLine();
}
