using System.Buffers.Binary;
using System.Text;
using Lucent.Net.ModelZoo.Checkpoints.Pickle;

namespace Lucent.Net.ModelZoo.Checkpoints;

/// <summary>
/// A strict reader for the zip archives <c>torch.save</c> writes: stored (uncompressed) entries only, zip64
/// allowed, one disk. It trusts nothing in the central directory: every entry's bytes must lie inside the
/// archive, no two entries may overlap (so no local entry can be read twice under two names), names are unique,
/// and every entry read is checked against its CRC-32, as PyTorch's own reader does. The bytes it reads in all
/// never exceed the archive's length.
/// </summary>
internal sealed class StoredZipArchive
{
    /// <summary>Most entries accepted in one archive (a checkpoint has one per storage plus a few).</summary>
    public const int MaxEntries = 1 << 17;

    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const int EndSize = 22;
    private const int CentralHeaderSize = 46;
    private const int LocalHeaderSize = 30;

    private readonly Stream _stream;
    private readonly Dictionary<string, Entry> _byName;
    private long _bytesRead;

    private StoredZipArchive(Stream stream, List<Entry> entries)
    {
        this._stream = stream;
        Entries = entries;
        _byName = new Dictionary<string, Entry>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!_byName.TryAdd(entry.Name, entry))
            {
                throw Corrupt($"two entries are called '{PickleText.Truncate(entry.Name)}'");
            }
        }
    }

    /// <summary>The entries in central-directory order.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>Reads the central directory of the archive in <paramref name="stream"/> (seekable, position 0 = archive start).</summary>
    public static StoredZipArchive Open(Stream stream)
    {
        long length = stream.Length;
        var (centralOffset, centralSize, count, endOffset) = ReadEnd(stream, length);
        if (count > MaxEntries)
        {
            throw Corrupt($"it declares {count} entries; at most {MaxEntries} are supported");
        }

        if (centralOffset > endOffset || centralSize > endOffset - centralOffset || centralSize > Array.MaxLength || count * CentralHeaderSize > centralSize)
        {
            throw Corrupt("its central directory does not fit in the file");
        }

        byte[] central = ReadAt(stream, centralOffset, (int)centralSize);
        var entries = new List<Entry>((int)count);
        int at = 0;
        for (long i = 0; i < count; i++)
        {
            entries.Add(ReadCentralHeader(central, ref at));
        }

        var archive = new StoredZipArchive(stream, entries);
        CheckLocalHeaders(stream, entries, centralOffset);
        return archive;
    }

    /// <summary>The entry called <paramref name="name"/>, or null.</summary>
    public Entry? GetEntry(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads the whole entry and checks its CRC-32.</summary>
    public byte[] Read(Entry entry)
    {
        if (entry.Length > Array.MaxLength)
        {
            throw new CheckpointFormatException($"The zip entry '{PickleText.Truncate(entry.Name)}' has {entry.Length} bytes, more than one array can hold.");
        }

        _bytesRead += entry.Length;
        if (_bytesRead > _stream.Length)
        {
            // Cannot happen with disjoint entries; kept so that no future change can read more than the file.
            throw Corrupt("its entries add up to more bytes than the file holds");
        }

        byte[] data = ReadAt(_stream, entry.DataOffset, (int)entry.Length);
        uint crc = Crc32.Compute(data);
        if (crc != entry.Crc32)
        {
            throw new CheckpointFormatException(
                $"The zip entry '{PickleText.Truncate(entry.Name)}' fails its CRC-32 check (stored 0x{entry.Crc32:x8}, computed 0x{crc:x8}): "
                + "the file is damaged (a bad copy or a flipped bit). Download or copy it again.");
        }

        return data;
    }

    private static (long CentralOffset, long CentralSize, long Count, long EndOffset) ReadEnd(Stream stream, long length)
    {
        if (length < EndSize)
        {
            throw Corrupt("it is too short to hold an end-of-central-directory record");
        }

        int tailLength = (int)Math.Min(length, EndSize + ushort.MaxValue);
        long tailStart = length - tailLength;
        byte[] tail = ReadAt(stream, tailStart, tailLength);
        int end = -1;
        for (int i = tailLength - EndSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature
                && i + EndSize + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) == tailLength)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw Corrupt("it has no end-of-central-directory record (truncated?)");
        }

        var record = tail.AsSpan(end);
        long endOffset = tailStart + end;
        ushort disk = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
        ushort centralDisk = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        long centralSize = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        long centralOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);

        // zip64: a locator sits right before the classic record and points at the zip64 record (PyTorch writes one).
        if (endOffset >= 20 && end >= 20 && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end - 20)) == Zip64LocatorSignature)
        {
            var locator = tail.AsSpan(end - 20, 20);
            long zip64Offset = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(locator[8..]));
            if (zip64Offset < 0 || zip64Offset > endOffset - 20 - 56)
            {
                throw Corrupt("its zip64 end record lies outside the file");
            }

            byte[] zip64 = ReadAt(stream, zip64Offset, 56);
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature)
            {
                throw Corrupt("its zip64 locator points at something that is not a zip64 end record");
            }

            disk = (ushort)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(16)), ushort.MaxValue);
            centralDisk = (ushort)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(20)), ushort.MaxValue);
            count = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32)));
            centralSize = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(40)));
            centralOffset = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(48)));
            endOffset = zip64Offset;
        }

        if (disk != 0 || centralDisk != 0)
        {
            throw Corrupt("it spans several disks");
        }

        return (centralOffset, centralSize, count, endOffset);
    }

    private static Entry ReadCentralHeader(byte[] central, ref int at)
    {
        if (central.Length - at < CentralHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(central.AsSpan(at)) != CentralHeaderSignature)
        {
            throw Corrupt("its central directory is damaged");
        }

        var header = central.AsSpan(at, CentralHeaderSize);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        ushort method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
        int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        long disk = BinaryPrimitives.ReadUInt16LittleEndian(header[34..]);
        long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
        int total = CentralHeaderSize + nameLength + extraLength + commentLength;
        if (central.Length - at < total)
        {
            throw Corrupt("its central directory is damaged");
        }

        byte[] nameBytes = central.AsSpan(at + CentralHeaderSize, nameLength).ToArray();
        string name = DecodeName(nameBytes);
        var extra = central.AsSpan(at + CentralHeaderSize + nameLength, extraLength);
        ReadZip64Extra(extra, ref size, ref compressed, ref localOffset, ref disk);
        at += total;

        if (method != 0 || compressed != size)
        {
            throw new CheckpointFormatException(
                $"The zip entry '{PickleText.Truncate(name)}' is compressed (method {method}); PyTorch stores entries uncompressed.");
        }

        if ((flags & 1) != 0)
        {
            throw new CheckpointFormatException($"The zip entry '{PickleText.Truncate(name)}' is encrypted.");
        }

        if (disk != 0)
        {
            throw Corrupt("it spans several disks");
        }

        return new Entry(name, nameBytes, localOffset, size, crc);
    }

    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long size, ref long compressed, ref long localOffset, ref long disk)
    {
        while (extra.Length >= 4)
        {
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (length > extra.Length - 4)
            {
                throw Corrupt("an entry's extra field is damaged");
            }

            var data = extra.Slice(4, length);
            if (id == 1)
            {
                int at = 0;
                size = size == uint.MaxValue ? Zip64Field(data, ref at) : size;
                compressed = compressed == uint.MaxValue ? Zip64Field(data, ref at) : compressed;
                localOffset = localOffset == uint.MaxValue ? Zip64Field(data, ref at) : localOffset;
                if (disk == ushort.MaxValue)
                {
                    disk = at + 4 <= data.Length ? BinaryPrimitives.ReadUInt32LittleEndian(data[at..]) : throw Corrupt("an entry's zip64 field is too short");
                }
            }

            extra = extra[(4 + length)..];
        }
    }

    private static long Zip64Field(ReadOnlySpan<byte> data, ref int at)
    {
        if (at + 8 > data.Length)
        {
            throw Corrupt("an entry's zip64 field is too short");
        }

        long value = ToLong(BinaryPrimitives.ReadUInt64LittleEndian(data[at..]));
        at += 8;
        return value;
    }

    /// <summary>Finds each entry's data after its local header and checks that no two entries share a byte.</summary>
    private static void CheckLocalHeaders(Stream stream, List<Entry> entries, long centralOffset)
    {
        var byOffset = entries.OrderBy(e => e.LocalOffset).ToList();
        long previousEnd = 0;
        string? previousName = null;
        foreach (var entry in byOffset)
        {
            if (entry.LocalOffset < previousEnd)
            {
                throw new CheckpointFormatException(
                    $"The zip archive is corrupted or hostile: the entries '{PickleText.Truncate(previousName!)}' and '{PickleText.Truncate(entry.Name)}' overlap "
                    + "(a valid archive stores each entry's bytes once).");
            }

            if (entry.LocalOffset > centralOffset - LocalHeaderSize)
            {
                throw Corrupt($"the entry '{PickleText.Truncate(entry.Name)}' lies outside the file's data");
            }

            byte[] local = ReadAt(stream, entry.LocalOffset, LocalHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalHeaderSignature)
            {
                throw Corrupt($"the entry '{PickleText.Truncate(entry.Name)}' has no local header where the central directory says");
            }

            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(26));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(28));
            long dataOffset = entry.LocalOffset + LocalHeaderSize + nameLength + extraLength;
            if (nameLength != entry.NameBytes.Length || dataOffset > centralOffset || entry.Length > centralOffset - dataOffset)
            {
                throw Corrupt($"the entry '{PickleText.Truncate(entry.Name)}' does not fit before the central directory");
            }

            if (!ReadAt(stream, entry.LocalOffset + LocalHeaderSize, nameLength).AsSpan().SequenceEqual(entry.NameBytes))
            {
                throw Corrupt($"the local header of '{PickleText.Truncate(entry.Name)}' names a different entry");
            }

            entry.DataOffset = dataOffset;
            previousEnd = dataOffset + entry.Length;
            previousName = entry.Name;
        }
    }

    private static byte[] ReadAt(Stream stream, long offset, int count)
    {
        if (offset < 0 || count < 0 || offset > stream.Length - count)
        {
            throw Corrupt("a record lies outside the file");
        }

        var buffer = new byte[count];
        stream.Position = offset;
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static string DecodeName(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointFormatException("The zip archive has an entry name that is not valid UTF-8 (corrupted data).", e);
        }
    }

    private static long ToLong(ulong value) => value <= long.MaxValue ? (long)value : throw Corrupt("a size or offset is impossibly large");

    private static CheckpointFormatException Corrupt(string problem) => new($"The checkpoint's zip structure is corrupted: {problem}.");

    /// <summary>One stored entry.</summary>
    internal sealed class Entry(string name, byte[] nameBytes, long localOffset, long length, uint crc32)
    {
        public string Name { get; } = name;

        public byte[] NameBytes { get; } = nameBytes;

        public long LocalOffset { get; } = localOffset;

        /// <summary>Where the entry's bytes start (after its local header).</summary>
        public long DataOffset { get; set; }

        public long Length { get; } = length;

        public uint Crc32 { get; } = crc32;
    }
}

/// <summary>CRC-32 (IEEE 802.3, the zip checksum), table-driven, eight bytes per step.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var table = Table;
        uint crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            uint one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = table[(7 * 256) + (one & 0xFF)] ^ table[(6 * 256) + ((one >> 8) & 0xFF)]
                ^ table[(5 * 256) + ((one >> 16) & 0xFF)] ^ table[(4 * 256) + (one >> 24)]
                ^ table[(3 * 256) + (two & 0xFF)] ^ table[(2 * 256) + ((two >> 8) & 0xFF)]
                ^ table[256 + ((two >> 16) & 0xFF)] ^ table[two >> 24];
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        for (int slice = 1; slice < 8; slice++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint previous = table[((slice - 1) * 256) + i];
                table[(slice * 256) + i] = table[previous & 0xFF] ^ (previous >> 8);
            }
        }

        return table;
    }
}
