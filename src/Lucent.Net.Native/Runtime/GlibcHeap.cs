using System.Runtime.InteropServices;

namespace Lucent.Net.Runtime;

/// <summary>glibc's own account of its heap (<c>mallinfo2</c>), summed over all arenas.</summary>
/// <param name="InUseBytes">Bytes handed out by malloc and not yet freed (heap blocks only).</param>
/// <param name="FreeBytes">Bytes the heap holds but has not handed out: freed blocks kept for reuse.</param>
/// <param name="MappedBytes">Bytes in blocks that have their own memory mapping.</param>
internal readonly record struct GlibcHeap(long InUseBytes, long FreeBytes, long MappedBytes)
{
    /// <summary>The heap's size: in use plus free.</summary>
    public long HeapBytes => InUseBytes + FreeBytes;

    /// <summary>Reads the current numbers; null where the C library is not glibc 2.33 or later.</summary>
    public static unsafe GlibcHeap? Read()
    {
        if (!OperatingSystem.IsLinux() ||
            !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) ||
            !NativeLibrary.TryGetExport(libc, "mallinfo2", out IntPtr mallinfo2))
        {
            return null;
        }

        var info = ((delegate* unmanaged<MallInfo2>)mallinfo2)();
        return new GlibcHeap((long)info.Uordblks, (long)info.Fordblks, (long)info.Hblkhd);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }
}
