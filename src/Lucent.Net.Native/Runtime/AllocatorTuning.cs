namespace Lucent.Net.Runtime;

/// <summary>The glibc allocator settings applied at start-up (docs/native-runtime.md).</summary>
internal enum AllocatorTuning
{
    /// <summary>None: not glibc, or turned off with <c>LUCENT_NET_MALLOC_TUNING=0</c>.</summary>
    None,

    /// <summary>Freed tensor blocks stay in the heap for the next step (32 MiB mmap threshold, 1 GiB trim threshold); used with the tensor-memory redirect.</summary>
    KeepFreedMemory,

    /// <summary>Every large block gets its own mapping (64 KiB mmap threshold, trim at once); the fallback without the redirect.</summary>
    MapEachBlock,
}
