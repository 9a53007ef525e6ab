using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Lucent.Net.Runtime;

/// <summary>
/// Runs the kernel self-check for the process (see <see cref="KernelSelector"/>): reads the per-machine
/// cache, applies and probes, stores what was learnt, and says in one line on standard error when
/// LibTorch runs differently from how it ships.
/// </summary>
internal static class KernelSelfCheck
{
    /// <summary>The shapes of the short probe that confirms a cached verdict.</summary>
    internal static readonly IReadOnlyList<ConvolutionCase> ConfirmationCases =
    [
        .. ConvolutionProbe.FaultCases,
        new("fault 1x1", 2, 508, 112, 1, 1, 0, 14),
        new("inception mixed4a", 1, 96, 204, 3, 1, 1, 14),
        new("small 3x3", 2, 8, 12, 3, 1, 1, 7),
        new("small 5x5 s2", 2, 28, 44, 5, 2, 1, 8),
        new("small 7x7", 1, 42, 2, 7, 1, 1, 20),
        new("small 1x1 s2", 4, 14, 44, 1, 2, 0, 14),
    ];

    private const string ModeVariable = "LUCENT_NET_KERNELS";
    private const string CheckVariable = "LUCENT_NET_KERNEL_CHECK";
    private const int MaxCacheFileBytes = 1 << 20;

    private static (KernelCacheEntry Entry, string Key, string LibTorch, List<string> Roots, bool Store)? _state;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Runs the check with the process's switches.</summary>
    /// <param name="torchCpu">The handle of <c>libtorch_cpu.so</c>, or zero when it was not loaded by Lucent.Net.</param>
    /// <param name="torchCpuPath">The path of <c>libtorch_cpu.so</c>, when known (part of the cache key).</param>
    /// <param name="cacheRoots">Folders to keep the verdict in, most preferred first.</param>
    /// <returns>The verdict.</returns>
    public static KernelVerdict Run(IntPtr torchCpu, string? torchCpuPath, IEnumerable<string> cacheRoots)
    {
        string? modeText = Environment.GetEnvironmentVariable(ModeVariable);
        if (Environment.GetEnvironmentVariable(CheckVariable) is "0" or "off" or "false")
        {
            return new KernelVerdict(KernelConfiguration.AsShipped, false, true, null, false, [], null, null,
                $"The kernel self-check is off ({CheckVariable}=0): LibTorch's convolutions were not verified on this machine.");
        }

        KernelMode mode = ParseMode(modeText);
        var environment = new ProcessKernelEnvironment(torchCpu, torchCpuPath);
        string cpu = CpuIdentity.Name;
        if (!environment.CanSwitch && mode == KernelMode.Auto)
        {
            // Without LibTorch's switches (another platform) the check can only verify the kernels as shipped.
            mode = KernelMode.ForceAsShipped;
        }

        string key = CacheKey(environment);
        // An explicit LUCENT_NET_CACHE is the only place looked at (a private cache, e.g. for tests).
        var roots = Environment.GetEnvironmentVariable("LUCENT_NET_CACHE") is { Length: > 0 } explicitRoot
            ? [explicitRoot]
            : cacheRoots.ToList();
        var cached = mode == KernelMode.Auto ? ReadCache(roots, key, cpu, environment.LibTorchIdentity) : null;
        var (verdict, toStore) = KernelSelector.Select(mode, cached, environment, cpu);
        if (toStore is not null)
        {
            toStore.Key = key;
            toStore.Cpu = cpu;
            toStore.LibTorch = environment.LibTorchIdentity;
            WriteCache(roots, key, toStore);
        }

        _state = (toStore ?? cached ?? new KernelCacheEntry(), key, environment.LibTorchIdentity, roots, mode == KernelMode.Auto);
        if (verdict.IsWorkaroundActive || !verdict.Float32Correct)
        {
            Console.Error.WriteLine("Lucent.Net: " + verdict.Description);
        }

        return verdict;
    }

    /// <summary>
    /// Probes bfloat16 convolutions in the configuration in use (once per machine: the outcome is cached
    /// with the verdict) and returns the verdict with <see cref="KernelVerdict.BFloat16Correct"/> set.
    /// </summary>
    /// <param name="verdict">The process's verdict.</param>
    /// <returns>The updated verdict.</returns>
    public static KernelVerdict CheckBFloat16(KernelVerdict verdict)
    {
        if (verdict.BFloat16Correct is not null || !verdict.Checked || _state is not { } current)
        {
            return verdict;
        }

        var report = ConvolutionProbe.Run(cases: [], bfloat16Cases: null);
        var record = current.Entry.For(verdict.Configuration) ?? new KernelResultRecord { Float32Correct = verdict.Float32Correct };
        record.BFloat16Correct = report.BFloat16Correct;
        record.Failures.AddRange(report.Failures);
        current.Entry.Set(verdict.Configuration, record);
        if (current.Store)
        {
            current.Entry.Key = current.Key;
            current.Entry.Cpu = CpuIdentity.Name;
            current.Entry.LibTorch = current.LibTorch;
            WriteCache(current.Roots, current.Key, current.Entry);
        }

        var updated = KernelSelector.Refresh(verdict, current.Entry, CpuIdentity.Name);
        if (updated.BFloat16Correct == false)
        {
            Console.Error.WriteLine("Lucent.Net: " + updated.Description);
        }

        return updated;
    }

    /// <summary>Where the render tuning is cached: the verdict's key and roots, with this process's identity and thread count; null when the check did not run (no per-machine key).</summary>
    /// <returns>The location, or null.</returns>
    public static TuningLocation? TuningLocation() =>
        _state is { } state ? new TuningLocation(state.Key, state.Roots, CpuIdentity.Name, state.LibTorch, torch.get_num_threads(), LucentRuntime.AllocatorTuning) : null;

    /// <summary>Parses <c>LUCENT_NET_KERNELS</c>.</summary>
    /// <param name="text">The variable's value, or null.</param>
    /// <returns>The mode.</returns>
    /// <exception cref="NativeRuntimeException">The value is not one of the documented ones.</exception>
    internal static KernelMode ParseMode(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        null or "" or "AUTO" => KernelMode.Auto,
        "AS-SHIPPED" or "ASSHIPPED" or "DEFAULT" => KernelMode.ForceAsShipped,
        "ONEDNN-AVX2" or "AVX2" => KernelMode.ForceOneDnnAvx2,
        "NATIVE" or "NO-ONEDNN" or "NO-MKLDNN" => KernelMode.ForceNativeKernels,
        _ => throw new NativeRuntimeException(
            $"{ModeVariable}='{text}' is not a kernel configuration. Use auto (the default), as-shipped, onednn-avx2 or native; see docs/cpu-correctness.md."),
    };

    private static string CacheKey(ProcessKernelEnvironment environment)
    {
        var text = new StringBuilder();
        text.Append("v").Append(KernelSelector.CacheVersion).Append('\n');
        text.Append(CpuIdentity.Fingerprint).Append('\n');
        text.Append(environment.LibTorchIdentity).Append('\n');
        text.Append("threads=").Append(torch.get_num_threads().ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("ONEDNN_MAX_CPU_ISA=").Append(Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA")).Append('\n');
        text.Append("DNNL_MAX_CPU_ISA=").Append(Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA")).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..24].ToLowerInvariant();
    }

    /// <summary>The cache file for a key under a root.</summary>
    internal static string CachePath(string root, string key) => Path.Combine(root, "lucent-net", "kernel-check", key + ".json");

    /// <summary>
    /// Reads this machine's cache entry from the first root that holds a usable one. A file is read only when it
    /// is a regular file (not a symbolic link, FIFO or device), at most <see cref="MaxCacheFileBytes"/> bytes
    /// counted as they are read; an entry that does not parse or fails <see cref="KernelCacheEntry.Problem"/>
    /// is discarded (the check then probes, and the file is replaced).
    /// </summary>
    /// <param name="roots">Cache roots, most preferred first.</param>
    /// <param name="key">This process's cache key.</param>
    /// <param name="cpu">This machine's CPU.</param>
    /// <param name="libTorch">This process's TorchSharp and LibTorch identity.</param>
    /// <returns>The entry, or null when none may be used.</returns>
    internal static KernelCacheEntry? ReadCache(IEnumerable<string> roots, string key, string cpu, string libTorch) =>
        CacheFiles.ReadFirstUsable<KernelCacheEntry>(roots, root => CachePath(root, key), MaxCacheFileBytes, JsonOptions, entry => entry.Problem(key, cpu, libTorch) is null);

    /// <summary>Writes the entry to the first root that accepts it: a new temporary file, flushed, then renamed over the old one.</summary>
    /// <param name="roots">Cache roots, most preferred first.</param>
    /// <param name="key">This process's cache key.</param>
    /// <param name="entry">The entry.</param>
    internal static void WriteCache(IEnumerable<string> roots, string key, KernelCacheEntry entry) =>
        CacheFiles.WriteFirstRoot(roots, root => CachePath(root, key), JsonSerializer.SerializeToUtf8Bytes(entry, JsonOptions));

    /// <summary>The switches of this process: the oneDNN cap through the C library's environment, the oneDNN switch through LibTorch's global context.</summary>
    private sealed class ProcessKernelEnvironment : IKernelEnvironment
    {
        private readonly IntPtr _getContext;
        private readonly IntPtr _setMkldnn;

        public ProcessKernelEnvironment(IntPtr torchCpu, string? torchCpuPath)
        {
            if (torchCpu == IntPtr.Zero && OperatingSystem.IsLinux())
            {
                // LibTorch was found by TorchSharp's own lookup (e.g. LD_LIBRARY_PATH): load it (a no-op) to reach its switches.
                _ = torch.get_num_threads();
                _ = NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out torchCpu);
            }

            if (torchCpu != IntPtr.Zero &&
                NativeLibrary.TryGetExport(torchCpu, "_ZN2at13globalContextEv", out _getContext) &&
                NativeLibrary.TryGetExport(torchCpu, "_ZN2at7Context20setUserEnabledMkldnnEb", out _setMkldnn))
            {
                CanSwitch = OperatingSystem.IsLinux();
            }

            long length = torchCpuPath is not null && File.Exists(torchCpuPath) ? new FileInfo(torchCpuPath).Length : -1;
            LibTorchIdentity = "torchsharp=" + typeof(torch).Assembly.GetName().Version + ";libtorch_cpu=" + length.ToString(CultureInfo.InvariantCulture);
        }

        public bool CanSwitch { get; }

        public string LibTorchIdentity { get; }

        public bool UserCapsIsa { get; } =
            !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA")) ||
            !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA"));

        public void CapIsaAtAvx2()
        {
            // oneDNN reads the cap with the C library's getenv; .NET's Environment keeps its own copy on Linux,
            // so set both (child processes started by .NET then inherit the cap too).
            _ = NativeMethods.setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 1);
            Environment.SetEnvironmentVariable("ONEDNN_MAX_CPU_ISA", "AVX2");
        }

        public unsafe void SetOneDnnEnabled(bool enabled)
        {
            if (!CanSwitch)
            {
                return;
            }

            IntPtr context = ((delegate* unmanaged<IntPtr>)_getContext)();
            ((delegate* unmanaged<IntPtr, byte, void>)_setMkldnn)(context, enabled ? (byte)1 : (byte)0);
        }

        public KernelProbeReport Probe() => ConvolutionProbe.Run(bfloat16Cases: []);

        public KernelProbeReport Confirm() => ConvolutionProbe.Run(cases: ConfirmationCases, bfloat16Cases: []);
    }

    private static partial class NativeMethods
    {
        [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int setenv(string name, string value, int overwrite);
    }
}
