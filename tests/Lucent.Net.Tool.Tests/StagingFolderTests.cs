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

        using (var area = StagingArea.Create(dir, "layer1-0000-0001"))
        {
            Directory.Exists(area.Folder).Should().BeTrue();
            Path.GetDirectoryName(area.Folder).Should().Be(Staging);
            File.Exists(area.Folder + StagingArea.LockSuffix).Should().BeTrue("the lock file is made before the folder");
        }

        Directory.EnumerateFileSystemEntries(Staging).Should().BeEmpty("a finished unit removes its folder and its lock file");
    }

    [Fact]
    public void A_live_workers_staging_folder_is_not_stale()
    {
        using var live = StagingArea.Create(dir, "layer1-0000-0001");
        File.WriteAllText(Path.Combine(live.Folder, "c0000_s00040.png"), "being written");

        StagingArea.RemoveStale(dir, "layer1-0000-0001").Should().Be(0);

        File.ReadAllText(Path.Combine(live.Folder, "c0000_s00040.png")).Should().Be("being written", "its lock is held");
    }

    [Fact]
    public void A_killed_workers_staging_folder_is_removed_without_following_links()
    {
        string victim = Path.Combine(dir, "victim");
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "precious.txt"), "keep");
        string stale = Path.Combine(Staging, "layer1-0000-0001.2147483647.0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "c0000_s00040.png"), "half");
        Directory.CreateSymbolicLink(Path.Combine(stale, "link"), victim);
        File.WriteAllText(stale + StagingArea.LockSuffix, Environment.MachineName + "\n2147483647\n"); // a process that cannot run

        StagingArea.RemoveStale(dir, "layer1-0000-0001").Should().Be(1);

        Directory.Exists(stale).Should().BeFalse();
        File.Exists(stale + StagingArea.LockSuffix).Should().BeFalse();
        File.ReadAllText(Path.Combine(victim, "precious.txt")).Should().Be("keep", "the link inside the stale folder is removed, not followed");
    }

    [Fact]
    public void A_folder_of_a_process_alive_on_this_host_stays_even_when_its_lock_is_free()
    {
        // File systems where flock is not enforced: the owner's host and process id are a second check.
        using var owner = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            string folder = Path.Combine(Staging, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"layer1-0000-0001.{owner.Id}.0123456789abcdef0123456789abcdef"));
            Directory.CreateDirectory(folder);
            File.WriteAllText(folder + StagingArea.LockSuffix, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Environment.MachineName}\n{owner.Id}\n"));

            StagingArea.RemoveStale(dir, "layer1-0000-0001").Should().Be(0);
            Directory.Exists(folder).Should().BeTrue();

            owner.Kill();
            owner.WaitForExit();
            StagingArea.RemoveStale(dir, "layer1-0000-0001").Should().Be(1, "its process is gone");
            Directory.Exists(folder).Should().BeFalse();
        }
        finally
        {
            if (!owner.HasExited)
            {
                owner.Kill();
            }
        }
    }

    [Theory]
    [InlineData("layer1-0000-0001.victim")]
    [InlineData("layer1-0000-0001.12.0123456789abcdef")]
    [InlineData("layer1-0000-0001.12.0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("layer1-0000-0001x.12.0123456789abcdef0123456789abcdef")]
    [InlineData("layer1-0000-0001.12.0123456789abcdef0123456789abcdef.bak")]
    public void Only_folders_named_exactly_unit_pid_guid_are_candidates(string name)
    {
        string folder = Path.Combine(Staging, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "keep");

        StagingArea.RemoveStale(dir, "layer1-0000-0001").Should().Be(0);

        File.ReadAllText(Path.Combine(folder, "keep.txt")).Should().Be("keep");
    }

    [Fact]
    public void A_link_named_like_a_stale_folder_is_neither_followed_nor_deleted()
    {
        string victim = Path.Combine(dir, "victim");
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "precious.txt"), "keep");
        Directory.CreateDirectory(Staging);
        string link = Path.Combine(Staging, "layer1-0000-0001.12.0123456789abcdef0123456789abcdef");
        Directory.CreateSymbolicLink(link, victim);

        StagingArea.RemoveStale(dir, "layer1-0000-0001").Should().Be(0);

        File.ReadAllText(Path.Combine(victim, "precious.txt")).Should().Be("keep");
        new DirectoryInfo(link).LinkTarget.Should().Be(victim);
    }

    [Fact]
    public void A_unit_id_that_is_a_path_or_a_linked_staging_folder_deletes_nothing()
    {
        string victim = Path.Combine(dir, "victim");
        Directory.CreateDirectory(Path.Combine(victim, "precious.1.0123456789abcdef0123456789abcdef"));
        Directory.CreateDirectory(Staging);

        StagingArea.RemoveStale(dir, "../victim/precious").Should().Be(0);
        Directory.Exists(Path.Combine(victim, "precious.1.0123456789abcdef0123456789abcdef")).Should().BeTrue();

        Directory.Delete(Staging);
        Directory.CreateSymbolicLink(Staging, victim);
        var remove = () => StagingArea.RemoveStale(dir, "precious");
        remove.Should().Throw<GalleryFileException>().WithMessage("*symbolic link*");
        Directory.Exists(Path.Combine(victim, "precious.1.0123456789abcdef0123456789abcdef")).Should().BeTrue();
        GalleryFiles.RemoveStagingIfEmpty(dir).Should().BeFalse("a linked staging folder is not the tool's to remove");
    }

    [Fact]
    public async Task A_run_leaves_no_staging_folder()
    {
        string gallery = Path.Combine(dir, "gallery");
        var (planned, planOutput) = await ToolProcess.RunAsync(
            "gallery", "plan", "resnet18", "--layers", "layer1", "--channels", "0-1", "--steps", "2", "--size", "32", "--input-size", "32", "--batch", "2", "--kinds", "channel", "--out", gallery);
        planned.Should().Be(0, planOutput);

        var (code, output) = await ToolProcess.RunAsync("gallery", "run", gallery, "--threads", "1");

        code.Should().Be(0, output);
        output.Should().Contain("Summary: 1 rendered, 0 skipped, 0 failed units");
        File.Exists(Path.Combine(gallery, "layers", "layer1", "c0001_s00002.png")).Should().BeTrue(output);
        Directory.Exists(Path.Combine(gallery, GalleryFiles.StagingFolder)).Should().BeFalse("the run's staging folder is empty at its end");
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
