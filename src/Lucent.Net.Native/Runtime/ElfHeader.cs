using System.Buffers.Binary;

namespace Lucent.Net.Runtime;

/// <summary>The checked header of an ELF64 little-endian object: where its section header table lies.</summary>
internal static class ElfHeader
{
    /// <summary>The section header table's file offset, entry size and entry count, checked to lie inside the file.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian object.</exception>
    internal static (ulong Offset, ushort EntrySize, ushort Count) SectionTable(byte[] elf)
    {
        var span = elf.AsSpan();
        if (elf.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file.");
        }

        if (span[4] != 2 || span[5] != 1)
        {
            throw new InvalidDataException("Only 64-bit little-endian ELF objects are supported.");
        }

        ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        ushort entrySize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        ushort count = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        if (entrySize < 64 || offset + ((ulong)count * entrySize) > (ulong)elf.Length)
        {
            throw new InvalidDataException("ELF section header table lies outside the file.");
        }

        return (offset, entrySize, count);
    }
}
