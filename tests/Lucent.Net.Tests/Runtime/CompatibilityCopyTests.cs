using System.Runtime.Versioning;
using Lucent.Net.Runtime;

namespace Lucent.Net.Tests.Runtime;

/// <summary>
/// The patched <c>libLibTorchSharp.so</c> in the cache folder: reused only when it is byte for byte the copy
/// this process would write, a regular file owned by this user and writable by nobody else; anything else
/// planted there (a same-length different library, a damaged copy, a link to a device, a FIFO) is replaced
/// atomically, never loaded. Nothing here loads a library: the tests only prepare copies in private folders.
/// </summary>
public sealed class CompatibilityCopyTests
{
    private static readonly Lazy<(byte[] Patched, string Folder)> Expected = new(() =>
        CompatibilityCopy.Patch(ShippedLibrary(), ["GLIBCXX_3.4.32"]));

    [SkippableFact]
    public void The_patch_is_deterministic_and_changes_only_flag_bits()
    {
        Skip.IfNot(File.Exists(ShippedLibrary()), "needs TorchSharp's Linux native library next to the tests");
        var (again, folder) = CompatibilityCopy.Patch(ShippedLibrary(), ["GLIBCXX_3.4.32"]);
        again.Should().Equal(Expected.Value.Patched);
        folder.Should().Be(Expected.Value.Folder).And.MatchRegex("^[0-9a-f]{16}$");
        byte[] original = File.ReadAllBytes(ShippedLibrary());
        original.Length.Should().Be(again.Length);
        Enumerable.Range(0, original.Length).Count(i => original[i] != again[i]).Should().BeLessThanOrEqualTo(1, "one flags field changes");
    }

    [SkippableFact]
    public void A_copy_is_written_verified_and_then_reused_through_the_open_file()
    {
        Skip.IfNot(File.Exists(ShippedLibrary()), "needs TorchSharp's Linux native library next to the tests");
        using var files = new UnixFiles("lucent-native-cache");
        var (patched, folder) = Expected.Value;

        string path;
        using (var first = CompatibilityCopy.Prepare(patched, folder, [files.Root]))
        {
            path = first.Path;
            first.Repaired.Should().BeNull("nothing was there");
            File.ReadAllBytes(first.Path).Should().Equal(patched);
            first.LoadPath.Should().StartWith("/proc/self/fd/", "the verified open file is what gets loaded");
            File.ReadAllBytes(first.LoadPath).Should().Equal(patched);
        }

        var written = File.GetLastWriteTimeUtc(path);
        var inode = RegularFile.TryGetStatus(path, followSymbolicLinks: false)!.Value.Inode;
        using var second = CompatibilityCopy.Prepare(patched, folder, [files.Root]);
        second.Path.Should().Be(path);
        second.Repaired.Should().BeNull();
        RegularFile.TryGetStatus(path, followSymbolicLinks: false)!.Value.Inode.Should().Be(inode, "a verified copy is reused, not rewritten");
        File.GetLastWriteTimeUtc(path).Should().Be(written);
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("no temporary file is left behind");
    }

    [SkippableTheory]
    [InlineData("same length, other bytes")]
    [InlineData("one byte damaged")]
    [InlineData("the unpatched original")]
    [InlineData("truncated")]
    [InlineData("one byte longer")]
    public void A_wrong_file_in_the_cache_is_replaced_not_loaded(string kind)
    {
        Skip.IfNot(File.Exists(ShippedLibrary()), "needs TorchSharp's Linux native library next to the tests");
        using var files = new UnixFiles("lucent-native-cache");
        var (patched, folder) = Expected.Value;
        string target = Path.Combine(files.Root, "lucent-net", "native", folder, CompatibilityCopy.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        byte[] planted = kind switch
        {
            "same length, other bytes" => new Random(19).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), patched.Length),
            "one byte damaged" => Damage(patched, patched.Length / 2),
            "the unpatched original" => File.ReadAllBytes(ShippedLibrary()),
            "truncated" => patched[..^1],
            _ => [.. patched, 0],
        };
        File.WriteAllBytes(target, planted);

        using var copy = CompatibilityCopy.Prepare(patched, folder, [files.Root]);
        copy.Path.Should().Be(target);
        copy.Repaired.Should().NotBeNull().And.MatchRegex("differs in content|bytes, not the");
        File.ReadAllBytes(target).Should().Equal(patched);
        File.ReadAllBytes(copy.LoadPath).Should().Equal(patched);
    }

    [SkippableTheory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("fifo")]
    [InlineData("link to a correct copy elsewhere")]
    public void Links_devices_and_fifos_in_the_cache_are_replaced_without_being_read(string kind)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(ShippedLibrary()), "needs Linux and TorchSharp's Linux native library");
        using var files = new UnixFiles("lucent-native-cache");
        var (patched, folder) = Expected.Value;
        string target = Path.Combine(files.Root, "lucent-net", "native", folder, CompatibilityCopy.FileName);
        if (kind == "fifo")
        {
            UnixFiles.MakeFifo(target);
        }
        else if (kind.StartsWith("link", StringComparison.Ordinal))
        {
            string elsewhere = Path.Combine(files.Root, "elsewhere.so");
            File.WriteAllBytes(elsewhere, patched);
            UnixFiles.Link(target, elsewhere);
        }
        else
        {
            UnixFiles.Link(target, kind);
        }

        using var copy = UnixFiles.Within10Seconds(() => CompatibilityCopy.Prepare(patched, folder, [files.Root]));
        copy.Repaired.Should().NotBeNull().And.Contain(kind == "fifo" ? "FIFO" : "symbolic link");
        new FileInfo(target).LinkTarget.Should().BeNull("the link was replaced by a regular file");
        RegularFile.TryGetStatus(target, followSymbolicLinks: false)!.Value.Type.Should().Be(RegularFile.Kind.Regular);
        File.ReadAllBytes(target).Should().Equal(patched);
    }

    [SkippableFact]
    [SupportedOSPlatform("linux")]
    public void A_correct_copy_that_others_may_write_is_replaced()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(ShippedLibrary()), "needs Linux and TorchSharp's Linux native library");
        using var files = new UnixFiles("lucent-native-cache");
        var (patched, folder) = Expected.Value;
        string target = Path.Combine(files.Root, "lucent-net", "native", folder, CompatibilityCopy.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target, patched);
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead);

        using var copy = CompatibilityCopy.Prepare(patched, folder, [files.Root]);
        copy.Repaired.Should().Contain("writable by other users");
        (File.GetUnixFileMode(target) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)).Should().Be(UnixFileMode.None);
        File.ReadAllBytes(target).Should().Equal(patched);
    }

    [SkippableFact]
    public void A_root_that_cannot_hold_the_copy_is_skipped_and_when_none_can_the_error_says_why()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(ShippedLibrary()), "needs Linux and TorchSharp's Linux native library");
        using var files = new UnixFiles("lucent-native-cache");
        var (patched, folder) = Expected.Value;
        string blocked = Path.Combine(files.Root, "blocked");
        // A directory where the file should be: it cannot be renamed over.
        Directory.CreateDirectory(Path.Combine(blocked, "lucent-net", "native", folder, CompatibilityCopy.FileName, "inside"));
        string good = Path.Combine(files.Root, "good");

        using (var copy = CompatibilityCopy.Prepare(patched, folder, [blocked, good]))
        {
            copy.Path.Should().StartWith(good);
        }

        var none = () => CompatibilityCopy.Prepare(patched, folder, [blocked]);
        none.Should().Throw<NativeRuntimeException>().WithMessage("*compatibility copy*directory*LUCENT_NET_CACHE*");
    }

    [Fact]
    public void This_process_loaded_its_own_copy_from_the_cache_when_it_needed_one()
    {
        var status = LucentRuntime.EnsureInitialized();
        if (status.Action == NativeRuntimeAction.LoadedCompatibilityCopy)
        {
            status.LibraryPath.Should().EndWith(Path.Combine("lucent-net", "native") + Path.DirectorySeparatorChar + Expected.Value.Folder + Path.DirectorySeparatorChar + CompatibilityCopy.FileName);
            status.Description.Should().Contain("verified byte for byte");
            File.ReadAllBytes(status.LibraryPath!).Should().Equal(Expected.Value.Patched);
        }
        else
        {
            status.Action.Should().Be(NativeRuntimeAction.None);
        }
    }

    private static byte[] Damage(byte[] bytes, int at)
    {
        byte[] copy = [.. bytes];
        copy[at] ^= 0x40;
        return copy;
    }

    private static string ShippedLibrary() => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", CompatibilityCopy.FileName);
}
