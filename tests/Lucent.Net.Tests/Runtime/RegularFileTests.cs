using Lucent.Net.Runtime;

namespace Lucent.Net.Tests.Runtime;

/// <summary>
/// <see cref="RegularFile"/>: only regular files are read, symbolic links only when allowed, and reads stop one
/// byte past the limit however long the file says it is.
/// </summary>
public sealed class RegularFileTests
{
    [Fact]
    public void Statx_is_used_on_linux()
    {
        RegularFile.HasStatx.Should().Be(OperatingSystem.IsLinux(), "on Linux the file type is read before opening");
    }

    [Fact]
    public void A_regular_file_is_read_whole_and_a_longer_one_stops_one_byte_past_the_limit()
    {
        using var files = new UnixFiles("lucent-regular");
        string path = Path.Combine(files.Root, "data.bin");
        byte[] content = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, content);

        RegularFile.ReadAtMost(path, 3000, followSymbolicLinks: false).Should().Equal(content);
        RegularFile.ReadAtMost(path, 5000, followSymbolicLinks: false).Should().Equal(content);
        RegularFile.ReadAtMost(path, 100, followSymbolicLinks: false).Should().Equal(content[..101]);
        RegularFile.ReadAtMost(path, 0, followSymbolicLinks: false).Should().Equal(content[..1]);
        using var stream = RegularFile.OpenRead(path, followSymbolicLinks: false);
        stream.Length.Should().Be(3000);
        stream.ReadByte().Should().Be(0);
    }

    [SkippableTheory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/dev/null")]
    public void Devices_are_refused_directly_and_behind_links_without_reading(string device)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(device), "needs Linux device files");
        using var files = new UnixFiles("lucent-regular");
        string link = Path.Combine(files.Root, "innocent.png");
        UnixFiles.Link(link, device);

        foreach (string path in new[] { device, link })
        {
            foreach (bool follow in new[] { false, true })
            {
                var read = () => RegularFile.ReadAtMost(path, 1 << 20, follow);
                read.Should().Throw<NotRegularFileException>()
                    .WithMessage(path == link && !follow ? "*symbolic link*not a regular file*" : "*character device*not a regular file*");
            }
        }
    }

    [SkippableFact]
    public void A_fifo_is_refused_without_blocking()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs mkfifo");
        using var files = new UnixFiles("lucent-regular");
        string fifo = Path.Combine(files.Root, "verdict.json");
        UnixFiles.MakeFifo(fifo);
        string link = Path.Combine(files.Root, "link.json");
        UnixFiles.Link(link, fifo);

        var outcome = UnixFiles.Within10Seconds<Exception?>(() =>
        {
            try
            {
                RegularFile.ReadAtMost(link, 1 << 20, followSymbolicLinks: true);
                return null;
            }
            catch (NotRegularFileException ex)
            {
                return ex;
            }
        });
        outcome.Should().NotBeNull().And.Subject.As<Exception>().Message.Should().Contain("FIFO");
        var direct = () => UnixFiles.Within10Seconds(() => RegularFile.OpenRead(fifo, followSymbolicLinks: false));
        direct.Should().Throw<NotRegularFileException>().WithMessage("*FIFO*");
    }

    [Fact]
    public void A_link_to_a_regular_file_is_read_only_when_links_are_followed()
    {
        using var files = new UnixFiles("lucent-regular");
        string target = Path.Combine(files.Root, "target.bin");
        File.WriteAllBytes(target, [1, 2, 3]);
        string link = Path.Combine(files.Root, "link.bin");
        UnixFiles.Link(link, target);

        RegularFile.ReadAtMost(link, 10, followSymbolicLinks: true).Should().Equal(1, 2, 3);
        var refused = () => RegularFile.ReadAtMost(link, 10, followSymbolicLinks: false);
        refused.Should().Throw<NotRegularFileException>().WithMessage("*symbolic link*");
    }

    [Fact]
    public void Directories_missing_files_and_bad_paths_get_typed_errors()
    {
        using var files = new UnixFiles("lucent-regular");
        var directory = () => RegularFile.ReadAtMost(files.Root, 10, followSymbolicLinks: true);
        directory.Should().Throw<NotRegularFileException>().WithMessage("*directory*");
        var missing = () => RegularFile.ReadAtMost(Path.Combine(files.Root, "none"), 10, followSymbolicLinks: false);
        missing.Should().Throw<FileNotFoundException>().WithMessage("*does not exist*");
        var nul = () => RegularFile.ReadAtMost(Path.Combine(files.Root, "a\0b"), 10, followSymbolicLinks: false);
        nul.Should().Throw<ArgumentException>().WithMessage("*NUL*");
        var negative = () => RegularFile.ReadAtMost(Path.Combine(files.Root, "none"), -1, followSymbolicLinks: false);
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }
}
