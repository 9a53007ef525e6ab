using System.Globalization;
using System.Runtime.InteropServices;

namespace Lucent.Net.Runtime;

/// <summary>
/// Makes LibTorch's CPU tensor allocations plain <c>malloc</c> calls. LibTorch (<c>c10::alloc_cpu</c>)
/// asks glibc for 64-byte-aligned blocks with <c>posix_memalign</c>; glibc before 2.38 rarely reuses
/// a freed aligned block for the next aligned request of the same size (its memalign path asks for
/// size + alignment and splits), so a render's heap grows by about a megabyte per step while the
/// bytes in use stay flat. Plain <c>malloc</c> blocks (16-byte aligned, which every LibTorch CPU kernel
/// accepts: tensors made from .NET or NumPy arrays have no stronger alignment) are reused exactly.
/// The redirect replaces the address in <c>libc10.so</c>'s own import slot for <c>posix_memalign</c> with a
/// 30-byte x86-64 routine that calls <c>malloc</c>; memory stays glibc's, so <c>free</c> is unchanged.
/// Nothing outside <c>libc10.so</c> is affected.
/// </summary>
internal static unsafe class TensorMemoryRedirect
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int ProtExec = 4;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const long PageSize = 4096;

    /// <summary>Redirects <c>libc10.so</c>'s <c>posix_memalign</c>; returns null on success, or why it was left alone.</summary>
    /// <param name="libc10">The handle of the loaded <c>libc10.so</c>.</param>
    internal static string? Install(IntPtr libc10)
    {
        if (!NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) ||
            !NativeLibrary.TryGetExport(libc, "malloc", out IntPtr malloc) ||
            !NativeLibrary.TryGetExport(libc, "posix_memalign", out IntPtr posixMemalign) ||
            !NativeLibrary.TryGetExport(libc, "dladdr", out IntPtr dladdr) ||
            !NativeLibrary.TryGetExport(libc, "mmap", out IntPtr mmap) ||
            !NativeLibrary.TryGetExport(libc, "mprotect", out IntPtr mprotect))
        {
            return "not glibc";
        }

        if (!NativeLibrary.TryGetExport(libc10, "_ZN3c109alloc_cpuEm", out IntPtr allocCpu))
        {
            return "libc10.so has no c10::alloc_cpu";
        }

        DlInfo info;
        if (((delegate* unmanaged<IntPtr, DlInfo*, int>)dladdr)(allocCpu, &info) == 0 || info.FileName == IntPtr.Zero)
        {
            return "dladdr could not place c10::alloc_cpu";
        }

        byte[] elf = File.ReadAllBytes(Marshal.PtrToStringUTF8(info.FileName)!);
        ulong? slotOffset = ElfImports.FindJumpSlot(elf, "posix_memalign");
        if (slotOffset is null)
        {
            return "libc10.so does not import posix_memalign";
        }

        var slot = (IntPtr*)(info.Base + (nint)slotOffset.Value);
        var (start, writable) = FindMapping((nint)slot);
        if (start == 0)
        {
            return "the import slot is not mapped";
        }

        // Before its first call the slot points back into libc10.so's own PLT (lazy binding); after it,
        // at glibc's posix_memalign. Anything else means another allocator was interposed: leave it alone.
        // The library's mapped size is bounded by its file size plus its zero-filled data; 64 MiB covers that.
        IntPtr current = *slot;
        var (libStart, libEnd) = (info.Base, info.Base + elf.Length + (64 * 1024 * 1024));
        bool unresolvedStub = current >= libStart && current < libEnd;
        if (current != posixMemalign && !unresolvedStub)
        {
            return "posix_memalign is already interposed (a preloaded allocator?)";
        }

        IntPtr code = ((delegate* unmanaged<IntPtr, nuint, int, int, int, nint, IntPtr>)mmap)(
            IntPtr.Zero, (nuint)PageSize, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (code == new IntPtr(-1))
        {
            return "mmap failed";
        }

        byte[] routine = Routine(malloc);
        Marshal.Copy(routine, 0, code, routine.Length);
        var protect = (delegate* unmanaged<IntPtr, nuint, int, int>)mprotect;
        if (protect(code, (nuint)PageSize, ProtRead | ProtExec) != 0)
        {
            return "executable memory is not allowed";
        }

        IntPtr page = (nint)slot & ~(nint)(PageSize - 1);
        if (!writable && protect(page, (nuint)PageSize, ProtRead | ProtWrite) != 0)
        {
            return "the import slot cannot be made writable";
        }

        Volatile.Write(ref *slot, code);
        if (!writable)
        {
            protect(page, (nuint)PageSize, ProtRead);
        }

        return null;
    }

    /// <summary>
    /// x86-64 System V machine code for <c>int f(void** out, size_t alignment, size_t size)</c>: stores
    /// <c>malloc(size)</c> in <c>*out</c> and returns 0, or returns 12 (ENOMEM) when malloc fails.
    /// </summary>
    internal static byte[] Routine(IntPtr malloc)
    {
        var code = new List<byte>
        {
            0x57,                   // push rdi            keep out; the stack is now 16-byte aligned for the call
            0x48, 0x89, 0xD7,       // mov rdi, rdx        size
            0x48, 0xB8,             // mov rax, imm64      malloc
        };
        code.AddRange(BitConverter.GetBytes(malloc.ToInt64()));
        code.AddRange(
        [
            0xFF, 0xD0,             // call rax
            0x5F,                   // pop rdi
            0x48, 0x89, 0x07,       // mov [rdi], rax
            0x48, 0x85, 0xC0,       // test rax, rax
            0x74, 0x03,             // jz +3               to the ENOMEM return
            0x31, 0xC0,             // xor eax, eax
            0xC3,                   // ret
            0xB8, 0x0C, 0x00, 0x00, 0x00, // mov eax, 12   ENOMEM
            0xC3,                   // ret
        ]);
        return code.ToArray();
    }

    private static (nint Start, bool Writable) FindMapping(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash < 0 || space < dash)
            {
                continue;
            }

            nint start = (nint)long.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            nint end = (nint)long.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (address >= start && address < end)
            {
                return (start, line.Length > space + 2 && line[space + 2] == 'w');
            }
        }

        return (0, false);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public IntPtr FileName;
        public IntPtr Base;
        public IntPtr SymbolName;
        public IntPtr SymbolAddress;
    }
}
