using System.IO.Compression;
using System.Text;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.Runtime;

namespace Lucent.Net.ModelZoo.Tests.Checkpoints;

/// <summary>Truncated, corrupted and malicious files must end in CheckpointFormatException, and nothing else.</summary>
public class HostileCheckpointTests
{
    public HostileCheckpointTests() => LucentRuntime.EnsureInitialized();

    private static TorchCheckpointWriter Small()
    {
        var w = new TorchCheckpointWriter();
        var storage = w.AddStorage("FloatStorage", 4, TorchCheckpointWriter.Float32Bytes(Enumerable.Range(0, 12).Select(i => (float)i).ToArray()));
        w.AddTensor("view_a", storage, 2, [2, 3]);
        w.AddTensor("view_t", storage, 0, [4, 3], [1, 4]);
        w.AddFloat16("half", [1f, 2f], 2);
        w.AddInt64("n", [3]);
        return w;
    }

    private static CheckpointFormatException ReadFails(byte[] bytes)
    {
        Action act = () =>
        {
            using var sd = PyTorchCheckpointTests.Read(bytes);
        };
        return act.Should().Throw<CheckpointFormatException>().Which;
    }

    private static byte[] ZipWithPickle(byte[] pickle, string? extraName = null, byte[]? extraBytes = null)
    {
        var w = new TorchCheckpointWriter { ObjectPickleOverride = pickle };
        byte[] zip = w.Zip();
        if (extraName is null)
        {
            return zip;
        }

        using var ms = new MemoryStream();
        ms.Write(zip);
        using (var archive = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var s = archive.CreateEntry(extraName, CompressionLevel.NoCompression).Open();
            s.Write(extraBytes);
        }

        return ms.ToArray();
    }

    private static byte[] Global(string module, string name, int protocol = 2)
    {
        var w = new PickleWriter().Proto(protocol);
        if (protocol >= 4)
        {
            w.Op(0x8c).Op((byte)module.Length).Raw(Encoding.ASCII.GetBytes(module));
            w.Op(0x8c).Op((byte)name.Length).Raw(Encoding.ASCII.GetBytes(name));
            w.Op(0x93);
        }
        else
        {
            w.Global(module, name);
        }

        return w.Str("echo pwned").Op(0x85).Reduce().Stop().ToArray();
    }

    [Theory]
    [InlineData("os", "system", 2)]
    [InlineData("posix", "system", 2)]
    [InlineData("builtins", "eval", 2)]
    [InlineData("builtins", "exec", 4)]
    [InlineData("subprocess", "Popen", 4)]
    [InlineData("torch", "load", 2)]
    [InlineData("numpy.core.multiarray", "_reconstruct", 2)]
    public void Refuses_globals_that_a_state_dict_does_not_need(string module, string name, int protocol)
    {
        var e = ReadFails(ZipWithPickle(Global(module, name, protocol)));

        e.RefusedGlobal.Should().Be($"{module}.{name}");
        e.Message.Should().Contain($"'{module}.{name}'").And.Contain("refuses").And.Contain("can run code");
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip)]
    [InlineData(CheckpointFormat.Legacy)]
    public void Refuses_a_global_hidden_inside_an_otherwise_valid_state_dict(CheckpointFormat format)
    {
        var w = Small();
        w.ExtraItems = p => p.Str("evil").Global("builtins", "eval").Str("1+1").Op(0x85).Reduce();
        ReadFails(w.Write(format)).RefusedGlobal.Should().Be("builtins.eval");
    }

    [Fact]
    public void Refuses_calling_a_global_that_is_only_a_value()
    {
        var pickle = new PickleWriter().Proto(2).Global("torch", "FloatStorage").Int(10).Op(0x85).Reduce().Stop().ToArray();
        ReadFails(ZipWithPickle(pickle)).Message.Should().Contain("torch.FloatStorage");
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip)]
    [InlineData(CheckpointFormat.Legacy)]
    public void Every_truncation_throws_CheckpointFormatException(CheckpointFormat format)
    {
        byte[] bytes = Small().Write(format);
        PyTorchCheckpointTests.Read(bytes).Dispose();
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            try
            {
                using var sd = PyTorchCheckpointTests.Read(bytes[..cut]);
                throw new InvalidOperationException($"A file cut to {cut} of {bytes.Length} bytes was read without error.");
            }
            catch (CheckpointFormatException)
            {
            }
        }
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip)]
    [InlineData(CheckpointFormat.Legacy)]
    public void Random_corruption_reads_or_throws_CheckpointFormatException_only(CheckpointFormat format)
    {
        byte[] original = Small().Write(format);
        var random = new Random(1234);
        for (int trial = 0; trial < 1500; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                using var sd = PyTorchCheckpointTests.Read(bytes);
            }
            catch (CheckpointFormatException)
            {
            }
        }
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip, 1L << 40)]
    [InlineData(CheckpointFormat.Legacy, 1L << 40)]
    [InlineData(CheckpointFormat.Zip, long.MaxValue / 2)]
    [InlineData(CheckpointFormat.Legacy, long.MaxValue / 2)]
    public void Lying_numel_throws_without_allocating(CheckpointFormat format, long numel)
    {
        var w = new TorchCheckpointWriter();
        var storage = w.AddStorage("FloatStorage", 4, new byte[16]);
        storage.DeclaredNumel = numel;
        w.AddTensor("w", storage, 0, [4]);
        byte[] bytes = w.Write(format);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ReadFails(bytes);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(4 << 20);
    }

    [Fact]
    public void Legacy_data_section_that_disagrees_with_the_persistent_id_is_refused()
    {
        var w = new TorchCheckpointWriter();
        var storage = w.AddStorage("FloatStorage", 4, new byte[16]);
        storage.FileNumel = 1L << 50;
        w.AddTensor("w", storage, 0, [4]);

        ReadFails(w.Legacy()).Message.Should().Contain("Storage '0'");
    }

    [Theory]
    [InlineData(0L, new long[] { 5 }, new long[] { 1 }, "reaches element 4")]
    [InlineData(9L, new long[] { 4 }, new long[] { 1 }, "reaches element")]
    [InlineData(long.MaxValue - 1, new long[] { 2 }, new long[] { 1 }, "does not fit")]
    [InlineData(0L, new long[] { 2, 2 }, new long[] { long.MaxValue / 2, 1 }, "does not fit")]
    [InlineData(0L, new long[] { long.MaxValue, 2 }, new long[] { 1, 1 }, "overflows")]
    [InlineData(0L, new long[] { 1000000000000 }, new long[] { 0 }, "broadcast")]
    [InlineData(0L, new long[] { 2, 2 }, new long[] { 1 }, "dimensions")]
    [InlineData(5L, new long[] { 0 }, new long[] { 1 }, "offset")]
    public void Lying_offset_size_or_stride_is_refused(long offset, long[] size, long[] stride, string messagePart)
    {
        foreach (var format in new[] { CheckpointFormat.Zip, CheckpointFormat.Legacy })
        {
            var w = new TorchCheckpointWriter();
            w.AddTensor("w", w.AddStorage("FloatStorage", 4, new byte[16]), offset, size, stride);
            long before = GC.GetAllocatedBytesForCurrentThread();
            ReadFails(w.Write(format)).Message.Should().Contain(messagePart);
            (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(4 << 20);
        }
    }

    [Fact]
    public void Negative_sizes_are_refused()
    {
        var w = new TorchCheckpointWriter();
        w.AddTensor("w", w.AddStorage("FloatStorage", 4, new byte[16]), 0, [-1], [1]);
        ReadFails(w.Zip()).Message.Should().Contain("non-negative");
    }

    [Fact]
    public void Huge_string_length_is_refused_without_allocating()
    {
        var pickle = new PickleWriter().Proto(2).Op((byte)'X').Raw([0xff, 0xff, 0xff, 0x7f]).Raw(new byte[10]).Stop().ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ReadFails(ZipWithPickle(pickle)).Message.Should().Contain("truncated");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(4 << 20);
    }

    [Fact]
    public void Stack_memo_and_mark_limits_hold()
    {
        var pushes = new PickleWriter().Proto(2);
        for (int i = 0; i < (1 << 20) + 1; i++)
        {
            pushes.Op((byte)'N');
        }

        ReadFails(ZipWithPickle(pushes.Stop().ToArray())).Message.Should().Contain("stack");

        var memo = new PickleWriter().Proto(2).Op((byte)'N');
        for (int i = 0; i < (1 << 20) + 1; i++)
        {
            memo.Op((byte)'r').Raw(BitConverter.GetBytes(i));
        }

        ReadFails(ZipWithPickle(memo.Stop().ToArray())).Message.Should().Contain("memo");

        var marks = new PickleWriter().Proto(2);
        for (int i = 0; i < 5000; i++)
        {
            marks.Mark();
        }

        ReadFails(ZipWithPickle(marks.Stop().ToArray())).Message.Should().Contain("MARK");
    }

    [Fact]
    public void Self_referencing_containers_do_not_hang()
    {
        // l = []; l.append(l); {'x': l}
        var pickle = new PickleWriter().Proto(2).EmptyDict().Put().Str("x").EmptyList().Put("list").Mark();
        pickle.TryGet("list");
        pickle.Appends().SetItem().Stop();
        ReadFails(ZipWithPickle(pickle.ToArray())).Message.Should().Contain("not a tensor");
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' }, "not a PyTorch checkpoint")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'K', 0x01, (byte)'.' }, "magic")]
    [InlineData(new byte[] { 0x80, 0x02, 0xff }, "opcode 0xff")]
    public void Non_checkpoints_are_refused(byte[] bytes, string messagePart)
        => ReadFails(bytes).Message.Should().Contain(messagePart);

    [Fact]
    public void A_whole_pickled_object_or_training_checkpoint_gets_a_helpful_message()
    {
        var list = new PickleWriter().Proto(2).EmptyList().Put().Stop().ToArray();
        ReadFails(ZipWithPickle(list)).Message.Should().Contain("not a state dict");

        var w = Small();
        w.ExtraItems = p => p.Str("epoch").Int(3);
        ReadFails(w.Zip()).Message.Should().Contain("'epoch'").And.Contain("model.state_dict()");
    }

    [Fact]
    public void TorchScript_archive_is_named()
    {
        byte[] zip;
        using (var ms = new MemoryStream())
        {
            using (var archive = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var s = archive.CreateEntry("model/constants.pkl", CompressionLevel.NoCompression).Open();
                s.Write(new byte[] { 0x80, 0x02, (byte)')', (byte)'.' });
            }

            zip = ms.ToArray();
        }

        ReadFails(zip).Message.Should().Contain("TorchScript");
    }

    [Fact]
    public void Compressed_entries_and_missing_storage_data_are_refused()
    {
        byte[] good = Small().Zip();
        using (var ms = new MemoryStream())
        {
            using (var source = new ZipArchive(new MemoryStream(good)))
            using (var target = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var entry in source.Entries)
                {
                    using var input = entry.Open();
                    using var output = target.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open();
                    input.CopyTo(output);
                }
            }

            ReadFails(ms.ToArray()).Message.Should().Contain("compressed");
        }

        using (var ms = new MemoryStream())
        {
            ms.Write(good);
            using (var archive = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
            {
                archive.GetEntry("archive/data/0")!.Delete();
            }

            ReadFails(ms.ToArray()).Message.Should().Contain("archive/data/0");
        }
    }

    [Fact]
    public void Unknown_byteorder_is_refused()
    {
        var w = Small();
        w.ByteOrder = "middle";
        ReadFails(w.Zip()).Message.Should().Contain("middle");
    }
}
