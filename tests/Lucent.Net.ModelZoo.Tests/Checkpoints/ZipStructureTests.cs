using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.Runtime;

namespace Lucent.Net.ModelZoo.Tests.Checkpoints;

/// <summary>
/// Zip archives whose central directory lies: entries that overlap or point at one local entry many times,
/// entries that run into the central directory, duplicate names, and stored bytes that fail their CRC-32.
/// </summary>
public class ZipStructureTests
{
    public ZipStructureTests() => LucentRuntime.EnsureInitialized();

    /// <summary>A central-directory record to write: any name, offset, size and CRC, true or not.</summary>
    private sealed record CentralRecord(string Name, long LocalOffset, long Size, uint Crc);

    /// <summary>The entries of a zip written by <see cref="TorchCheckpointWriter.Zip"/>: name, local offset, size, CRC.</summary>
    private static List<CentralRecord> CentralDirectory(byte[] zip, out int centralOffset)
    {
        int end = zip.Length - 22;
        while (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end)) != 0x06054b50)
        {
            end--;
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10));
        centralOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        var records = new List<CentralRecord>();
        int at = centralOffset;
        for (int i = 0; i < count; i++)
        {
            var h = zip.AsSpan(at);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            int extra = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
            int comment = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            records.Add(new CentralRecord(
                Encoding.UTF8.GetString(h.Slice(46, nameLength)),
                BinaryPrimitives.ReadUInt32LittleEndian(h[42..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[24..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[16..])));
            at += 46 + nameLength + extra + comment;
        }

        return records;
    }

    /// <summary>The local entries of <paramref name="zip"/> unchanged, followed by a new central directory of <paramref name="records"/>.</summary>
    private static byte[] WithCentralDirectory(byte[] zip, int centralOffset, IEnumerable<CentralRecord> records)
    {
        using var output = new MemoryStream();
        output.Write(zip.AsSpan(0, centralOffset));
        int count = 0;
        var header = new byte[46];
        foreach (var r in records)
        {
            byte[] name = Encoding.UTF8.GetBytes(r.Name);
            Array.Clear(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 20);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), r.Crc);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)r.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)r.Size);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), (ushort)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(42), (uint)r.LocalOffset);
            output.Write(header);
            output.Write(name);
            count++;
        }

        long centralSize = output.Length - centralOffset;
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)centralSize);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)centralOffset);
        output.Write(end);
        return output.ToArray();
    }

    private static CheckpointFormatException ReadFails(byte[] bytes, out long allocated, out TimeSpan elapsed)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        try
        {
            using var sd = PyTorchCheckpointTests.Read(bytes);
        }
        catch (CheckpointFormatException e)
        {
            elapsed = clock.Elapsed;
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return e;
        }

        throw new InvalidOperationException("The hostile archive was read without error.");
    }

    /// <summary>A state dict of 128 tensors, each with its own 1 MiB storage entry... whose records all point at storage 0's entry.</summary>
    private static byte[] ManyNamesForOneEntry(int names)
    {
        var w = new TorchCheckpointWriter { IncludeMetadata = false };
        for (int i = 0; i < names; i++)
        {
            // Storage i is tiny in the file, but declares 1 MiB: only storage 0 really has that many bytes.
            var s = w.AddStorage("FloatStorage", 4, i == 0 ? new byte[1 << 20] : new byte[4]);
            s.DeclaredNumel = 1 << 18;
            w.AddTensor($"t{i}", s, 0, [1 << 18]);
        }

        byte[] zip = w.Zip();
        var records = CentralDirectory(zip, out int centralOffset);
        var data0 = records.Single(r => r.Name == "archive/data/0");
        var hostile = records.Select(r => r.Name.StartsWith("archive/data/", StringComparison.Ordinal) ? data0 with { Name = r.Name } : r);
        return WithCentralDirectory(zip, centralOffset, hostile);
    }

    [Fact]
    public void Many_central_records_for_one_local_entry_are_refused_without_reading_it_many_times()
    {
        // The file: 128 records that all point at one 1 MiB local entry read 134 MB.
        byte[] bytes = ManyNamesForOneEntry(128);

        var e = ReadFails(bytes, out long allocated, out var elapsed);

        e.Message.Should().Contain("overlap");
        allocated.Should().BeLessThan(2L * bytes.Length, "no entry may be read more than once");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Overlapping_or_out_of_bounds_ranges_and_duplicate_names_are_refused()
    {
        var w = new TorchCheckpointWriter();
        w.AddFloat32("a", Enumerable.Range(0, 64).Select(i => (float)i).ToArray(), 64);
        w.AddFloat32("b", Enumerable.Range(0, 64).Select(i => (float)-i).ToArray(), 64);
        byte[] zip = w.Zip();
        var records = CentralDirectory(zip, out int centralOffset);
        int a = records.FindIndex(r => r.Name == "archive/data/0");
        int b = records.FindIndex(r => r.Name == "archive/data/1");
        var cases = new Dictionary<string, (List<CentralRecord> Records, string Message)>
        {
            // Entry a claims more bytes, running into entry b's local header.
            ["a grows into b"] = (Replace(records, a, records[a] with { Size = records[a].Size + 40 }), "overlap"),
            // Entry b starts inside entry a's data.
            ["b starts inside a"] = (Replace(records, b, records[b] with { LocalOffset = records[a].LocalOffset + 40 }), "overlap"),
            // The last entry's bytes reach into the central directory.
            ["last runs into the directory"] = (Replace(records, records.Count - 1, records[^1] with { Size = records[^1].Size + 100 }), "before the central directory"),
            // Two records with one name.
            ["duplicate name"] = ([.. records, records[a]], "two entries"),
            // An offset past the end of the file.
            ["offset past the end"] = (Replace(records, b, records[b] with { LocalOffset = zip.Length + 10 }), "outside"),
        };

        foreach (var (label, (hostile, message)) in cases)
        {
            var e = ReadFails(WithCentralDirectory(zip, centralOffset, hostile), out _, out _);
            e.Message.Should().Contain(message, label);
        }
    }

    private static List<CentralRecord> Replace(List<CentralRecord> records, int index, CentralRecord replacement)
    {
        var copy = records.ToList();
        copy[index] = replacement;
        return copy;
    }

    [Fact]
    public void Every_flipped_bit_in_stored_data_is_refused_by_the_CRC_check()
    {
        // PyTorch's reader checks each entry's CRC-32; 712 bit-flipped files used to load with changed values.
        var w = new TorchCheckpointWriter();
        w.AddFloat32("w", Enumerable.Range(0, 16).Select(i => i * 0.5f).ToArray(), 4, 4);
        w.AddFloat16("h", [1f, 2f, 3f], 3);
        w.AddInt64("n", [7]);
        byte[] zip = w.Zip();
        PyTorchCheckpointTests.Read(zip).Dispose();
        var records = CentralDirectory(zip, out _);
        var random = new Random(11);
        int flips = 0;
        foreach (var record in records.Where(r => r.Name is "archive/data.pkl" or "archive/byteorder" || r.Name.StartsWith("archive/data/", StringComparison.Ordinal)))
        {
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan((int)record.LocalOffset + 26));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan((int)record.LocalOffset + 28));
            int start = (int)record.LocalOffset + 30 + nameLength + extraLength;
            for (int i = 0; i < record.Size; i++)
            {
                // Every bit of the storages; one seeded bit per byte of the pickle.
                var bits = record.Name == "archive/data.pkl" ? [random.Next(8)] : Enumerable.Range(0, 8);
                foreach (int bit in bits)
                {
                    byte[] bytes = (byte[])zip.Clone();
                    bytes[start + i] ^= (byte)(1 << bit);
                    var e = ReadFails(bytes, out _, out _);
                    e.Message.Should().Contain("CRC-32", $"a flipped bit {bit} at byte {i} of {record.Name}");
                    flips++;
                }
            }
        }

        flips.Should().BeGreaterThan(500);
    }

    [Fact]
    public void The_real_pytorch_zip_with_zip64_records_and_data_descriptors_still_reads()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "tiny_zip.pth");
        using var sd = PyTorchCheckpoint.ReadStateDict(path);
        sd.Count.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        // The CRC-32 check value of "123456789" (IEEE 802.3) is 0xCBF43926; lengths around the 8-byte step too.
        byte[] digits = "123456789"u8.ToArray();
        Crc32.Compute(digits).Should().Be(0xCBF43926u);
        Crc32.Compute([]).Should().Be(0u);
        var random = new Random(5);
        for (int length = 0; length < 40; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Crc32.Compute(data).Should().Be(BitwiseCrc(data), $"length {length}");
        }
    }

    private static uint BitwiseCrc(byte[] data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
