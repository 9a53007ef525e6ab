using System.Buffers.Binary;
using System.Text;

namespace Lucent.Net.Runtime;

/// <summary>
/// Reads the procedure-linkage imports of an ELF64 little-endian x86-64 shared object: where the
/// loader stores the address of an imported function (its <c>R_X86_64_JUMP_SLOT</c> relocation).
/// </summary>
internal static class ElfImports
{
    private const uint ShtRela = 4;
    private const uint RelocationJumpSlot = 7;
    private const int RelaEntrySize = 24;
    private const int SymbolEntrySize = 24;

    /// <summary>
    /// The offset, relative to the object's load address, of the slot through which it calls
    /// <paramref name="symbol"/>; null when the object does not import it through its PLT.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian object.</exception>
    internal static ulong? FindJumpSlot(byte[] elf, string symbol)
    {
        ArgumentNullException.ThrowIfNull(elf);
        ArgumentNullException.ThrowIfNull(symbol);
        var span = elf.AsSpan();
        var (shoff, shentsize, shnum) = ElfHeader.SectionTable(elf);

        byte[] wanted = Encoding.ASCII.GetBytes(symbol);
        for (int i = 0; i < shnum; i++)
        {
            var relocations = Section(span, shoff, shentsize, shnum, i);
            if (relocations.Type != ShtRela || relocations.Link >= shnum)
            {
                continue;
            }

            var symbols = Section(span, shoff, shentsize, shnum, (int)relocations.Link);
            if (symbols.Link >= shnum)
            {
                throw new InvalidDataException("Malformed symbol table link.");
            }

            var strings = Section(span, shoff, shentsize, shnum, (int)symbols.Link);
            var stringBytes = Slice(span, strings.Offset, strings.Size);
            var symbolBytes = Slice(span, symbols.Offset, symbols.Size);
            var relocationBytes = Slice(span, relocations.Offset, relocations.Size);
            for (int r = 0; r + RelaEntrySize <= relocationBytes.Length; r += RelaEntrySize)
            {
                ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(relocationBytes[r..]);
                ulong info = BinaryPrimitives.ReadUInt64LittleEndian(relocationBytes[(r + 8)..]);
                if ((info & 0xffffffff) != RelocationJumpSlot)
                {
                    continue;
                }

                ulong symbolIndex = info >> 32;
                ulong entry = symbolIndex * SymbolEntrySize;
                if (entry + SymbolEntrySize > (ulong)symbolBytes.Length)
                {
                    throw new InvalidDataException("Relocation refers to a symbol outside the symbol table.");
                }

                uint name = BinaryPrimitives.ReadUInt32LittleEndian(symbolBytes[(int)entry..]);
                if (name < stringBytes.Length && NameEquals(stringBytes[(int)name..], wanted))
                {
                    return offset;
                }
            }
        }

        return null;
    }

    private static bool NameEquals(ReadOnlySpan<byte> table, ReadOnlySpan<byte> wanted) =>
        table.Length > wanted.Length && table[..wanted.Length].SequenceEqual(wanted) && table[wanted.Length] == 0;

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> span, ulong offset, ulong size)
    {
        if (offset > (ulong)span.Length || size > (ulong)span.Length - offset)
        {
            throw new InvalidDataException("ELF section lies outside the file.");
        }

        return span.Slice((int)offset, (int)size);
    }

    private static (uint Type, ulong Offset, ulong Size, uint Link) Section(ReadOnlySpan<byte> span, ulong shoff, ushort shentsize, ushort shnum, int index)
    {
        if (index < 0 || index >= shnum)
        {
            throw new InvalidDataException("Section index out of range.");
        }

        var header = span.Slice(checked((int)shoff + (index * shentsize)), shentsize);
        return (
            BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]));
    }
}
