using System.Buffers.Binary;
using System.Text;

namespace Lucent.Net.Runtime;

/// <summary>
/// Marks one symbol-version requirement of an ELF64 little-endian shared object as weak
/// (<c>VER_FLG_WEAK</c> in its <c>.gnu.version_r</c> entry), so the dynamic loader accepts the
/// object on a system whose library lacks that version. Only the flag bits change; nothing is moved.
/// </summary>
internal static class ElfVersionPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Outcome of a patch attempt.</summary>
    internal enum PatchResult
    {
        /// <summary>The requirement was found and marked weak.</summary>
        Patched,
        /// <summary>The requirement was already weak.</summary>
        AlreadyWeak,
        /// <summary>The object does not require that version at all.</summary>
        NotRequired,
    }

    /// <summary>Marks the requirement named <paramref name="versionName"/> weak in <paramref name="elf"/>, in place.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian object.</exception>
    internal static PatchResult MarkVersionWeak(byte[] elf, string versionName)
    {
        ArgumentNullException.ThrowIfNull(elf);
        var span = elf.AsSpan();
        var (shoff, shentsize, shnum) = ElfHeader.SectionTable(elf);

        for (int i = 0; i < shnum; i++)
        {
            var sh = span.Slice(checked((int)shoff + (i * shentsize)), shentsize);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]);
            if (type != ShtGnuVerneed)
            {
                continue;
            }

            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]);
            uint link = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]);
            if (link >= shnum || offset + size > (ulong)elf.Length)
            {
                throw new InvalidDataException("Malformed .gnu.version_r section.");
            }

            var strSh = span.Slice(checked((int)shoff + ((int)link * shentsize)), shentsize);
            ulong strOff = BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x18..]);
            ulong strSize = BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x20..]);
            if (strOff + strSize > (ulong)elf.Length)
            {
                throw new InvalidDataException("Malformed dynamic string table.");
            }

            var strings = span.Slice((int)strOff, (int)strSize);
            int entry = (int)offset;
            for (uint n = 0; n < count; n++)
            {
                CheckRange(entry, 16, elf.Length);
                ushort auxCount = BinaryPrimitives.ReadUInt16LittleEndian(span[(entry + 2)..]);
                uint auxOffset = BinaryPrimitives.ReadUInt32LittleEndian(span[(entry + 8)..]);
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(span[(entry + 12)..]);
                int aux = entry + (int)auxOffset;
                for (int a = 0; a < auxCount; a++)
                {
                    CheckRange(aux, 16, elf.Length);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(span[(aux + 4)..]);
                    uint nameIndex = BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 8)..]);
                    uint auxNext = BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 12)..]);
                    if (ReadString(strings, nameIndex) == versionName)
                    {
                        if ((flags & VerFlgWeak) != 0)
                        {
                            return PatchResult.AlreadyWeak;
                        }

                        BinaryPrimitives.WriteUInt16LittleEndian(span[(aux + 4)..], (ushort)(flags | VerFlgWeak));
                        return PatchResult.Patched;
                    }

                    if (auxNext == 0)
                    {
                        break;
                    }

                    aux += (int)auxNext;
                }

                if (next == 0)
                {
                    break;
                }

                entry += (int)next;
            }
        }

        return PatchResult.NotRequired;
    }

    private static void CheckRange(int offset, int length, int total)
    {
        if (offset < 0 || offset + length > total)
        {
            throw new InvalidDataException("ELF version entry lies outside the file.");
        }
    }

    private static string ReadString(ReadOnlySpan<byte> table, uint index)
    {
        if (index >= table.Length)
        {
            return string.Empty;
        }

        var rest = table[(int)index..];
        int end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
