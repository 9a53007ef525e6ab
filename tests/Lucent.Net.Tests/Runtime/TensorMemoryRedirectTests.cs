using System.Runtime.InteropServices;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Runtime;

public class TensorMemoryRedirectTests
{
    private static bool OnLinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [Fact]
    public void The_redirect_is_installed_on_linux_x64_with_glibc_and_replaces_the_allocator_tuning()
    {
        LucentRuntime.EnsureInitialized();
        if (!OnLinuxX64 || Environment.GetEnvironmentVariable("LUCENT_NET_TENSOR_MALLOC") == "0")
        {
            return;
        }

        LucentRuntime.TensorMemoryRedirectFailure.Should().BeNull();
        LucentRuntime.TensorMemoryRedirected.Should().BeTrue();
        LucentRuntime.AllocatorTuning.Should().Be(AllocatorTuning.KeepFreedMemory, "with the redirect, freed tensor blocks stay in the heap for the next step (the mmap-threshold fallback is only needed without it)");
    }

    [Fact]
    public void Tensor_memory_comes_from_malloc_not_64_byte_aligned_posix_memalign()
    {
        LucentRuntime.EnsureInitialized();
        if (!OnLinuxX64 || !LucentRuntime.TensorMemoryRedirected)
        {
            return;
        }

        // posix_memalign(64) returns 64-byte-aligned blocks only; malloc's are 16-byte aligned, so among
        // tensors of varied sizes some must start 16 or 32 or 48 bytes past a 64-byte boundary.
        var tensors = Enumerable.Range(1, 32).Select(i => torch.empty(1000 + (37 * i))).ToList();
        try
        {
            var offsets = tensors.Select(t => DataPointer(t).ToInt64() % 64).ToList();
            offsets.Should().OnlyContain(o => o % 16 == 0);
            offsets.Should().Contain(o => o != 0);
        }
        finally
        {
            tensors.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public unsafe void The_routine_stores_a_malloc_block_and_returns_zero_or_enomem()
    {
        if (!OnLinuxX64 || !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc))
        {
            return;
        }

        IntPtr malloc = NativeLibrary.GetExport(libc, "malloc");
        var free = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(libc, "free");
        var usableSize = (delegate* unmanaged<IntPtr, nuint>)NativeLibrary.GetExport(libc, "malloc_usable_size");
        var mmap = (delegate* unmanaged<IntPtr, nuint, int, int, int, nint, IntPtr>)NativeLibrary.GetExport(libc, "mmap");
        var mprotect = (delegate* unmanaged<IntPtr, nuint, int, int>)NativeLibrary.GetExport(libc, "mprotect");
        var munmap = (delegate* unmanaged<IntPtr, nuint, int>)NativeLibrary.GetExport(libc, "munmap");
        byte[] routine = TensorMemoryRedirect.Routine(malloc);
        IntPtr page = mmap(IntPtr.Zero, 4096, 3, 0x22, -1, 0);
        page.Should().NotBe(new IntPtr(-1));
        try
        {
            Marshal.Copy(routine, 0, page, routine.Length);
            mprotect(page, 4096, 5).Should().Be(0);
            var allocate = (delegate* unmanaged<IntPtr*, nuint, nuint, int>)page;

            IntPtr block = IntPtr.Zero;
            allocate(&block, 64, 12345).Should().Be(0);
            block.Should().NotBe(IntPtr.Zero);
            ((long)usableSize(block)).Should().BeGreaterThanOrEqualTo(12345);
            new Span<byte>((void*)block, 12345).Fill(0xAB);
            free(block);

            IntPtr failed = new(1);
            allocate(&failed, 64, nuint.MaxValue / 2).Should().Be(12, "ENOMEM when malloc cannot allocate");
            failed.Should().Be(IntPtr.Zero);
        }
        finally
        {
            munmap(page, 4096);
        }
    }

    [Fact]
    public void FindJumpSlot_finds_libc10s_posix_memalign_import_and_nothing_it_does_not_import()
    {
        string? libc10 = NativeLibraryPath("libc10.so");
        if (!OnLinuxX64 || libc10 is null)
        {
            return;
        }

        byte[] elf = File.ReadAllBytes(libc10);
        ElfImports.FindJumpSlot(elf, "posix_memalign").Should().NotBeNull();
        ElfImports.FindJumpSlot(elf, "posix_memalig").Should().BeNull("names match whole, not by prefix");
        ElfImports.FindJumpSlot(elf, "no_such_function_anywhere").Should().BeNull();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(63)]
    public void FindJumpSlot_rejects_bytes_that_are_not_an_elf_object(int length)
    {
        var act = () => ElfImports.FindJumpSlot(new byte[length], "malloc");
        act.Should().Throw<InvalidDataException>().WithMessage("*ELF*");
    }

    [Fact]
    public void FindJumpSlot_rejects_a_section_table_outside_the_file()
    {
        var elf = new byte[128];
        elf[0] = 0x7f;
        elf[1] = (byte)'E';
        elf[2] = (byte)'L';
        elf[3] = (byte)'F';
        elf[4] = 2;
        elf[5] = 1;
        BitConverter.GetBytes(4096UL).CopyTo(elf, 0x28);
        BitConverter.GetBytes((ushort)64).CopyTo(elf, 0x3A);
        BitConverter.GetBytes((ushort)3).CopyTo(elf, 0x3C);
        var act = () => ElfImports.FindJumpSlot(elf, "malloc");
        act.Should().Throw<InvalidDataException>().WithMessage("*outside the file*");
    }

    private static string? NativeLibraryPath(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", name);
        return File.Exists(path) ? path : null;
    }

    private static unsafe IntPtr DataPointer(Tensor tensor)
    {
        string library = LucentRuntime.EnsureInitialized().LibraryPath ?? throw new InvalidOperationException("TorchSharp's native library path is unknown.");
        var data = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(NativeLibrary.Load(library), "THSTensor_data");
        return data(tensor.Handle);
    }
}
