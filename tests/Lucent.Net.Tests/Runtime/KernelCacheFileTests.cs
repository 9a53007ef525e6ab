using Lucent.Net.Runtime;

namespace Lucent.Net.Tests.Runtime;

/// <summary>
/// The kernel verdict file is input anyone with write access to the cache folder can forge: only a regular
/// file of at most 1 MiB (counted as read) is read, and an entry is used only when its shape, identity
/// (CPU, LibTorch, key, version), configuration names and values hold together; anything else is discarded
/// (the check then probes and replaces the file).
/// </summary>
public sealed class KernelCacheFileTests
{
    private const string Key = "0123456789abcdef01234567";
    private const string Cpu = "Simulated CPU";
    private const string LibTorch = "torchsharp=0.0;libtorch_cpu=1";

    [Fact]
    public void A_valid_entry_is_read()
    {
        using var files = new UnixFiles("lucent-kernel-file");
        KernelSelfCheck.WriteCache([files.Root], Key, ValidEntry());
        var read = KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch);
        read.Should().NotBeNull();
        read!.Chosen.Should().Be(KernelConfiguration.NativeKernels);
    }

    [Theory]
    [InlineData("Results null", "Results", null)]
    [InlineData("Results missing", "-Results", null)]
    [InlineData("another CPU", "Cpu", "\"Other CPU\"")]
    [InlineData("another LibTorch", "LibTorch", "\"torchsharp=9.9;libtorch_cpu=2\"")]
    [InlineData("another key", "Key", "\"ffffffffffffffffffffffff\"")]
    [InlineData("another format version", "Version", "1")]
    [InlineData("chosen out of range", "Chosen", "7")]
    [InlineData("chosen without a correct record", "Chosen", "\"AsShipped\"")]
    [InlineData("unknown configuration", "Results", "{\"Fastest\":{\"Float32Correct\":true,\"Failures\":[]}}")]
    [InlineData("numeric configuration name", "Results", "{\"2\":{\"Float32Correct\":true,\"Failures\":[]}}")]
    [InlineData("record null", "Results", "{\"NativeKernels\":null}")]
    [InlineData("failures null", "Results", "{\"NativeKernels\":{\"Float32Correct\":true,\"Failures\":null}}")]
    [InlineData("correct despite a float32 failure", "Results", "{\"NativeKernels\":{\"Float32Correct\":true,\"Failures\":[{\"Case\":\"c\",\"Layout\":\"l\",\"Pass\":\"p\",\"DataType\":\"float32\",\"RelativeError\":1,\"Tolerance\":0.0001}]}}")]
    [InlineData("wrong without a failure", "Results", "{\"NativeKernels\":{\"Float32Correct\":false,\"Failures\":[]}}")]
    [InlineData("bfloat16 wrong without a failure", "Results", "{\"NativeKernels\":{\"Float32Correct\":true,\"BFloat16Correct\":false,\"Failures\":[]}}")]
    [InlineData("unknown data type", "Results", "{\"NativeKernels\":{\"Float32Correct\":false,\"Failures\":[{\"Case\":\"c\",\"Layout\":\"l\",\"Pass\":\"p\",\"DataType\":\"int8\",\"RelativeError\":1,\"Tolerance\":0.0001}]}}")]
    [InlineData("NaN error", "Results", "{\"NativeKernels\":{\"Float32Correct\":true,\"MaxFloat32Error\":\"NaN\",\"Failures\":[]}}")]
    [InlineData("not an object", "", "[1,2,3]")]
    [InlineData("null document", "", "null")]
    public void A_malformed_or_foreign_entry_is_discarded(string why, string property, string? value)
    {
        using var files = new UnixFiles("lucent-kernel-file");
        KernelSelfCheck.WriteCache([files.Root], Key, ValidEntry());
        string path = KernelSelfCheck.CachePath(files.Root, Key);
        ForgedCacheFile.Edit(path, property, value);
        KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch).Should().BeNull(why);
    }

    [Fact]
    public void A_discarded_entry_is_replaced_atomically_by_the_next_write()
    {
        using var files = new UnixFiles("lucent-kernel-file");
        string path = KernelSelfCheck.CachePath(files.Root, Key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{\"Version\":2,\"Key\":\"" + Key + "\",\"Results\":null}");
        KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch).Should().BeNull();

        KernelSelfCheck.WriteCache([files.Root], Key, ValidEntry());
        KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch).Should().NotBeNull();
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("no temporary file is left behind");
    }

    [SkippableTheory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("valid entry elsewhere")]
    public void A_link_is_not_followed(string target)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs Linux device files");
        using var files = new UnixFiles("lucent-kernel-file");
        string path = KernelSelfCheck.CachePath(files.Root, Key);
        if (target.StartsWith('/'))
        {
            UnixFiles.Link(path, target);
        }
        else
        {
            string elsewhere = Path.Combine(files.Root, "elsewhere");
            KernelSelfCheck.WriteCache([elsewhere], Key, ValidEntry());
            UnixFiles.Link(path, KernelSelfCheck.CachePath(elsewhere, Key));
        }

        var started = DateTime.UtcNow;
        KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch).Should().BeNull();
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(5), "nothing is read from a device");

        // The next write replaces the link itself, not what it points to.
        KernelSelfCheck.WriteCache([files.Root], Key, ValidEntry());
        new FileInfo(path).LinkTarget.Should().BeNull();
        KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch).Should().NotBeNull();
    }

    [SkippableFact]
    public void A_fifo_does_not_hang_the_start_and_is_replaced()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs mkfifo");
        using var files = new UnixFiles("lucent-kernel-file");
        string path = KernelSelfCheck.CachePath(files.Root, Key);
        UnixFiles.MakeFifo(path);

        UnixFiles.Within10Seconds(() => KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch)).Should().BeNull();
        KernelSelfCheck.WriteCache([files.Root], Key, ValidEntry());
        KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch).Should().NotBeNull();
    }

    [Fact]
    public void A_file_over_one_mebibyte_is_not_read_even_when_it_parses()
    {
        using var files = new UnixFiles("lucent-kernel-file");
        KernelSelfCheck.WriteCache([files.Root], Key, ValidEntry());
        string path = KernelSelfCheck.CachePath(files.Root, Key);
        string json = File.ReadAllText(path);
        File.WriteAllText(path, json + new string(' ', (1 << 20) - json.Length + 1));
        KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch).Should().BeNull();
        File.WriteAllText(path, json + new string(' ', (1 << 20) - json.Length));
        KernelSelfCheck.ReadCache([files.Root], Key, Cpu, LibTorch).Should().NotBeNull("exactly 1 MiB is within the limit");
    }

    private static KernelCacheEntry ValidEntry()
    {
        var entry = new KernelCacheEntry { Key = Key, Cpu = Cpu, LibTorch = LibTorch, Chosen = KernelConfiguration.NativeKernels };
        entry.Set(KernelConfiguration.AsShipped, new KernelResultRecord
        {
            Float32Correct = false,
            MaxFloat32Error = 0.02,
            Failures = [new KernelProbeFailure("fault 1x1", "channels-last", "forward", "float32", 0.02, 1e-4)],
        });
        entry.Set(KernelConfiguration.NativeKernels, new KernelResultRecord { Float32Correct = true, MaxFloat32Error = 1e-6 });
        return entry;
    }
}
