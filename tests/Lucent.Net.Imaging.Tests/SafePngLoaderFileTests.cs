using System.Diagnostics;
using Lucent.Net.Images;

namespace Lucent.Net.Imaging.Tests;

/// <summary>
/// <see cref="SafePngLoader.Load"/> and <see cref="SafePngLoader.LoadRgba"/> read only regular files and count
/// the bytes as they read them: a device reports length 0 and never ends, a FIFO blocks, a /proc file lies
/// about its length.
/// </summary>
public sealed class SafePngLoaderFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lucent-png-files-" + Guid.NewGuid().ToString("N"));

    public SafePngLoaderFileTests() => Directory.CreateDirectory(_folder);

    public static TheoryData<string, bool> Devices => new()
    {
        { "/dev/zero", false },
        { "/dev/zero", true },
        { "/dev/urandom", false },
        { "/dev/urandom", true },
    };

    [SkippableTheory]
    [MemberData(nameof(Devices))]
    public void A_device_is_refused_before_it_is_read(string device, bool rgba)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(device), "needs Linux device files");
        string link = Path.Combine(_folder, "image.png");
        File.CreateSymbolicLink(link, device);

        foreach (string path in new[] { device, link })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var load = () => Load(path, rgba);
            load.Should().Throw<InvalidPngException>().WithMessage($"PNG file '{path}' is not a regular file*character device*");
            (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20, "not a byte of the device is buffered");
        }
    }

    [SkippableFact]
    public void A_fifo_is_refused_without_blocking()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs mkfifo");
        string fifo = Path.Combine(_folder, "pipe.png");
        var info = new ProcessStartInfo("mkfifo") { UseShellExecute = false };
        info.ArgumentList.Add(fifo);
        using (var mkfifo = Process.Start(info)!)
        {
            mkfifo.WaitForExit();
            mkfifo.ExitCode.Should().Be(0);
        }

        var task = Task.Factory.StartNew(
            () => Record.Exception(() => SafePngLoader.Load(fifo)),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        task.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue("opening a FIFO must not block");
        task.Result.Should().BeOfType<InvalidPngException>().Which.Message.Should().Contain("FIFO");
    }

    [Fact]
    public void A_directory_is_refused_with_the_loader_error()
    {
        var load = () => SafePngLoader.LoadRgba(_folder);
        load.Should().Throw<InvalidPngException>().WithMessage("*not a regular file*directory*");
    }

    [SkippableFact]
    public void A_file_whose_length_lies_is_cut_off_one_byte_past_the_limit()
    {
        // /proc files are regular files that report length 0 whatever they hold.
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/proc/self/maps"), "needs Linux /proc");
        new FileInfo("/proc/self/maps").Length.Should().Be(0);
        var limits = new ImageDecodeLimits { MaxFileBytes = 64 };
        var load = () => SafePngLoader.Load("/proc/self/maps", limits);
        load.Should().Throw<ImageTooLargeException>().WithMessage("*is more than 64 bytes, over the limit of 64 bytes*MaxFileBytes*");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_link_to_a_regular_png_is_followed(bool rgba)
    {
        string target = Path.Combine(_folder, "real.png");
        File.WriteAllBytes(target, TestImages.Noise(4, 5, 3, seed: 10).ToPngBytes());
        string link = Path.Combine(_folder, "link.png");
        File.CreateSymbolicLink(link, target);

        ImageBatch viaLink = Load(link, rgba);
        ImageBatch direct = Load(target, rgba);
        viaLink.Pixels.Should().Equal(direct.Pixels);
        viaLink.Width.Should().Be(5);
        viaLink.Channels.Should().Be(rgba ? 4 : 3);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ImageBatch Load(string path, bool rgba) => rgba ? SafePngLoader.LoadRgba(path) : SafePngLoader.Load(path);
}
