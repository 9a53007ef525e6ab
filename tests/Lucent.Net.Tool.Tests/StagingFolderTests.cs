using Lucent.Net.Tool.Gallery;

namespace Lucent.Net.Tool.Tests;

/// <summary>DIR/.staging is removed at the end of a run only when no worker has a unit in it.</summary>
public sealed class StagingFolderTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "lucent-staging-tests-" + Guid.NewGuid().ToString("N")[..8]);

    private string Staging => Path.Combine(dir, GalleryFiles.StagingFolder);

    public StagingFolderTests() => Directory.CreateDirectory(dir);

    [Fact]
    public void An_empty_staging_folder_is_removed()
    {
        Directory.CreateDirectory(Staging);

        GalleryFiles.RemoveStagingIfEmpty(dir).Should().BeTrue();

        Directory.Exists(Staging).Should().BeFalse();
        Directory.Exists(dir).Should().BeTrue("only the staging folder goes");
    }

    [Fact]
    public void A_staging_folder_in_which_another_worker_stages_a_unit_stays_with_its_files()
    {
        string other = Path.Combine(Staging, "layer2-0000-0001.4242.0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "c0000_s00040.png"), "half-written by another shard");

        GalleryFiles.RemoveStagingIfEmpty(dir).Should().BeFalse();

        File.ReadAllText(Path.Combine(other, "c0000_s00040.png")).Should().Be("half-written by another shard");
    }

    [Fact]
    public void A_missing_staging_folder_is_no_error()
    {
        GalleryFiles.RemoveStagingIfEmpty(dir).Should().BeTrue();
        Directory.Exists(Staging).Should().BeFalse();
    }

    [Fact]
    public void A_unit_folder_is_created_after_the_staging_folder_was_removed()
    {
        Directory.CreateDirectory(Staging);
        GalleryFiles.RemoveStagingIfEmpty(dir).Should().BeTrue();

        string unit = Path.Combine(Staging, "layer1-0000-0001.1.abc");
        GalleryFiles.CreateStagingFolder(unit);

        Directory.Exists(unit).Should().BeTrue();
    }

    [Fact]
    public async Task A_run_leaves_no_staging_folder()
    {
        string gallery = Path.Combine(dir, "gallery");
        var (planned, planOutput) = await ToolProcess.RunAsync(
            "gallery", "plan", "resnet18", "--layers", "layer1", "--channels", "0-1", "--steps", "2", "--size", "32", "--input-size", "32", "--batch", "2", "--out", gallery);
        planned.Should().Be(0, planOutput);

        var (code, output) = await ToolProcess.RunAsync("gallery", "run", gallery, "--threads", "1");

        code.Should().Be(0, output);
        output.Should().Contain("Summary: 1 rendered, 0 skipped, 0 failed units");
        File.Exists(Path.Combine(gallery, "layers", "layer1", "c0001_s00002.png")).Should().BeTrue(output);
        Directory.Exists(Path.Combine(gallery, GalleryFiles.StagingFolder)).Should().BeFalse("the run's staging folder is empty at its end");
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
