using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Lucent.Net.Runtime;

/// <summary>
/// Makes TorchSharp's native runtime load before the first tensor operation, on systems where it
/// would not load by itself. One initialisation point: a module initializer runs <see cref="EnsureInitialized"/>
/// before any code of this assembly, of every other Lucent.Net assembly and of every C# project that references a
/// Lucent.Net package (<c>buildTransitive/LucentNetRuntimeInitializer.cs</c>); a failure there is printed once on
/// standard error, kept, and thrown again (<see cref="NativeRuntimeException"/>) when a pass over a model starts. Applications that opt out of the initializer
/// (<c>LucentNetAutoInitialize=false</c>) call <see cref="EnsureInitialized"/> first.
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107's <c>libLibTorchSharp.so</c> is built with GCC 13 and requires the symbol
/// version <c>GLIBCXX_3.4.32</c> only to pin <c>std::ios_base_library_init()</c>, which it never calls
/// through a relocation. Debian 12 and Ubuntu 22.04 ship an older libstdc++, so the library fails to
/// load there. When (and only when) loading fails for that reason, this class writes a copy of the
/// library whose requirement for that version is marked weak into a per-user cache folder (never the
/// application folder), loads LibTorch and that copy, and lets TorchSharp's own lookup find it by its
/// soname.</para>
/// <para>It also turns off NNPACK on machines where NNPACK cannot initialise, which otherwise prints
/// "Could not initialize NNPACK!" to standard error on every convolution.</para>
/// </remarks>
public static class LucentRuntime
{
    /// <summary>Symbol versions that TorchSharp's native library requires only nominally and may safely be marked weak.</summary>
    private static readonly string[] NominalVersionRequirements = ["GLIBCXX_3.4.32"];

    private static readonly Lock Gate = new();
    private static NativeRuntimeStatus? _status;
    private static Exception? _failure;
    private static IntPtr _nnpackLibrary;
    private static string? _torchCpuPath;
    private static KernelVerdict? _kernels;

    /// <summary>What the last successful <see cref="EnsureInitialized"/> did, or null before it ran.</summary>
    public static NativeRuntimeStatus? Status => _status;

    /// <summary>
    /// The kernel self-check's verdict for this process: which convolution kernels LibTorch runs and
    /// whether they were found correct against float64 (docs/cpu-correctness.md). Null before
    /// <see cref="EnsureInitialized"/> ran.
    /// </summary>
    public static KernelVerdict? Kernels => _kernels;

    /// <summary>
    /// The micro-batch setting most recently chosen in this process for a batched CPU render that left
    /// <c>RenderOptions.MicroBatchSize</c> unset: measured on that render's workload, read from the per-machine cache,
    /// or the rule of thumb; null before the first such render. See docs/performance.md, "Measured defaults".
    /// </summary>
    public static RenderTuning? Tuning => RenderTuner.Latest;

    /// <summary>
    /// The micro-batch setting for a batched CPU render's workload: the one this process chose before for it, else
    /// the cached one, else measured through <paramref name="measure"/> at most once per process and workload
    /// (bounded by <see cref="RenderTuner.BudgetMilliseconds"/>). Called by the renderer.
    /// </summary>
    /// <param name="workload">The model, layers, input shape and type, in words.</param>
    /// <param name="batch">The images per step.</param>
    /// <param name="measure">Times the candidates on the workload (<see cref="TuningDecision.Collect"/>): their samples and the milliseconds it took.</param>
    /// <returns>The tuning.</returns>
    /// <exception cref="NativeRuntimeException">The runtime cannot load, or <c>LUCENT_NET_TUNING</c> has an unknown value.</exception>
    internal static RenderTuning TuneMicroBatch(string workload, int batch, Func<IReadOnlyList<int?>, (List<TuningSamples> Samples, double Milliseconds)> measure)
    {
        EnsureInitialized();
        return RenderTuner.ForWorkload(_kernels!, KernelSelfCheck.TuningLocation(), new TuningWorkload(workload, batch), measure);
    }

    /// <summary>
    /// Runs the full convolution probe now, on the kernels as they are configured in this process
    /// (float32 and bfloat16, forward and input gradient, both memory layouts, against float64).
    /// </summary>
    /// <returns>What was wrong, the largest errors and how long the probe took.</returns>
    public static KernelProbeReport ProbeKernels()
    {
        EnsureInitialized();
        return ConvolutionProbe.Run();
    }

    /// <summary>Throws when the kernel self-check found this process's convolutions wrong for <paramref name="type"/>.</summary>
    /// <param name="type">The floating type a model computes in (float32 unless converted).</param>
    /// <exception cref="KernelCheckException">LibTorch's convolutions in that type were wrong in the configuration in use.</exception>
    public static void EnsureKernelsCorrect(ScalarType type = ScalarType.Float32)
    {
        EnsureInitialized();
        var verdict = _kernels;
        if (verdict is null || !verdict.Checked)
        {
            return;
        }

        bool bfloat16 = type == ScalarType.BFloat16;
        if (bfloat16 && verdict.BFloat16Correct is null)
        {
            lock (Gate)
            {
                _kernels = verdict = KernelSelfCheck.CheckBFloat16(_kernels!);
            }
        }

        ThrowIfIncorrect(verdict, type);
    }

    /// <summary>
    /// Prepares TorchSharp's native libraries once per process. Safe to call many times and from many threads.
    /// </summary>
    /// <returns>What was done to make the runtime load.</returns>
    /// <exception cref="NativeRuntimeException">The native runtime cannot be loaded; the message says why and what to do.</exception>
    public static NativeRuntimeStatus EnsureInitialized()
    {
        if (_status is { } done)
        {
            return done;
        }

        lock (Gate)
        {
            if (_status is { } again)
            {
                return again;
            }

            if (_failure is not null)
            {
                throw new NativeRuntimeException(_failure.Message, _failure);
            }

            try
            {
                var prepared = Initialize();
                _kernels = KernelSelfCheck.Run(_nnpackLibrary, _torchCpuPath, CacheRoots());
                _status = prepared;
                return _status;
            }
            catch (Exception ex) when (ex is not NativeRuntimeException)
            {
                _failure = ex;
                throw new NativeRuntimeException(
                    "Lucent.Net could not prepare TorchSharp's native runtime: " + ex.Message +
                    " Make sure the application references the TorchSharp-cpu package (or another libtorch backend package).",
                    ex);
            }
            catch (NativeRuntimeException ex)
            {
                _failure = ex;
                throw;
            }
        }
    }

    /// <summary>Throws <see cref="KernelCheckException"/> when <paramref name="verdict"/> says convolutions in <paramref name="type"/> are wrong.</summary>
    /// <param name="verdict">A kernel verdict.</param>
    /// <param name="type">The model's floating type.</param>
    internal static void ThrowIfIncorrect(KernelVerdict verdict, ScalarType type)
    {
        bool bfloat16 = type == ScalarType.BFloat16;
        if (!verdict.Checked || (verdict.Float32Correct && !(bfloat16 && verdict.BFloat16Correct == false)))
        {
            return;
        }

        bool onlyBFloat16 = verdict.Float32Correct;
        var failures = (verdict.Probe?.Failures ?? []).Where(f => !onlyBFloat16 || f.DataType == "bfloat16").ToList();
        throw new KernelCheckException(
            $"LibTorch's {(onlyBFloat16 ? "bfloat16" : "float32")} convolutions compute wrong results on this machine " +
            $"with {KernelSelector.Describe(verdict.Configuration)}, so Lucent.Net will not render: the image would be wrong. " +
            (failures.Count > 0 ? "First failure: " + failures[0] + ". " : "") +
            (onlyBFloat16 ? "Render the float32 model instead, or " : "") +
            "Try LUCENT_NET_KERNELS=onednn-avx2 or LUCENT_NET_KERNELS=native, or turn the check off with LUCENT_NET_KERNEL_CHECK=0 at your own risk (docs/cpu-correctness.md).");
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "The native runtime must be prepared before the first TorchSharp call, which may come from any Lucent.Net type.")]
    internal static void InitializeOnLoad()
    {
        try
        {
            EnsureInitialized();
        }
        catch (NativeRuntimeException ex)
        {
            // A module initializer cannot throw usefully: say why once, in one line on standard error (as the kernel
            // check does), so that a TorchSharp error that follows has its cause beside it; the failure is kept and
            // thrown again by EnsureInitialized and when a pass over a model starts.
            Console.Error.WriteLine("Lucent.Net: " + ex.Message);
        }
    }

    private static NativeRuntimeStatus Initialize()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return new NativeRuntimeStatus(NativeRuntimeAction.None, null, "No preparation is needed on this platform.");
        }

        var nativeDirs = FindNativeDirectories();
        if (nativeDirs is not var (torchSharpDir, nativeDir))
        {
            // Let TorchSharp report its own error (it may find the library elsewhere, e.g. LD_LIBRARY_PATH).
            return new NativeRuntimeStatus(NativeRuntimeAction.None, null, "libLibTorchSharp.so was not found next to the application; TorchSharp's own lookup is used.");
        }

        string torchSharpPath = Path.Combine(torchSharpDir, "libLibTorchSharp.so");
        IntPtr torchCpu = IntPtr.Zero;
        IntPtr c10 = IntPtr.Zero;
        foreach (string dependency in (string[])["libc10.so", "libtorch_cpu.so", "libtorch.so"])
        {
            string path = Path.Combine(nativeDir, dependency);
            if (!File.Exists(path))
            {
                continue;
            }

            IntPtr handle = NativeLibrary.Load(path);
            if (dependency == "libtorch_cpu.so")
            {
                torchCpu = handle;
                _torchCpuPath = path;
            }
            else if (dependency == "libc10.so")
            {
                c10 = handle;
            }
        }

        NativeRuntimeStatus result;
        string? loadError = TryLoad(torchSharpPath);
        if (loadError is null)
        {
            result = new NativeRuntimeStatus(NativeRuntimeAction.None, torchSharpPath, "TorchSharp's native library loads as shipped.");
        }
        else
        {
            var missing = Regex.Matches(loadError, "version `([A-Za-z0-9_.]+)' not found")
                .Select(m => m.Groups[1].Value)
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            if (missing.Length == 0)
            {
                throw new NativeRuntimeException($"TorchSharp's native library '{torchSharpPath}' failed to load: {loadError}");
            }

            string[] unsafeToPatch = missing.Where(v => !NominalVersionRequirements.Contains(v, StringComparer.Ordinal)).ToArray();
            if (unsafeToPatch.Length > 0)
            {
                throw new NativeRuntimeException(
                    $"TorchSharp's native library needs {string.Join(", ", unsafeToPatch)} from the system C++ library, which this system lacks. " +
                    "Install a newer libstdc++ (GCC 13 or later) or run on a newer distribution. Loader message: " + loadError);
            }

            var (patchedBytes, folder) = CompatibilityCopy.Patch(torchSharpPath, missing);
            var copy = CompatibilityCopy.Prepare(patchedBytes, folder, CacheRoots());
            string? patchedError = TryLoad(copy.LoadPath);
            if (patchedError is not null)
            {
                copy.Dispose();
                throw new NativeRuntimeException($"A compatibility copy of TorchSharp's native library was written to '{copy.Path}' and verified but failed to load: {patchedError}");
            }

            // Loaded from the open, verified file: keep it open so that its /proc/self/fd name stays its own.
            CompatibilityCopy.KeepOpen(copy);
            result = new NativeRuntimeStatus(
                NativeRuntimeAction.LoadedCompatibilityCopy,
                copy.Path,
                $"The system libstdc++ lacks {string.Join(", ", missing)}; loaded a copy of libLibTorchSharp.so with that requirement marked weak from '{copy.Path}' (verified byte for byte)" +
                (copy.Repaired is { } why ? $"; the cached file there {why} and was replaced." : "."));
        }

        TensorMemoryRedirectFailure = c10 == IntPtr.Zero ? "libc10.so was not loaded"
            : Environment.GetEnvironmentVariable("LUCENT_NET_TENSOR_MALLOC") == "0" ? "turned off by LUCENT_NET_TENSOR_MALLOC=0"
            : TensorMemoryRedirect.Install(c10);
        TuneAllocator(TensorMemoryRedirected);
        if (torchCpu != IntPtr.Zero)
        {
            DisableNnpack(torchCpu);
            _nnpackLibrary = torchCpu;
        }

        return result;
    }

    private static string? TryLoad(string path)
    {
        try
        {
            NativeLibrary.Load(path);
            return null;
        }
        catch (DllNotFoundException ex)
        {
            return ex.Message;
        }
        catch (BadImageFormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// The folder holding <c>libLibTorchSharp.so</c> and the folder holding LibTorch (<c>libtorch_cpu.so</c>): one folder
    /// next to the application (or in the host's native search folders), else the NuGet package layout that hosts which
    /// reference packages in place use (a .NET Interactive notebook's <c>#r "nuget: ..."</c>).
    /// </summary>
    private static (string TorchSharp, string LibTorch)? FindNativeDirectories() =>
        FindNativeDirectory() is string dir ? (dir, dir) : FindPackageNativeDirectories(typeof(TorchSharp.torch).Assembly.Location);

    /// <summary>
    /// The native folders of TorchSharp and LibTorch in a NuGet global packages folder, found from the location of
    /// <c>TorchSharp.dll</c> (<c>&lt;packages&gt;/torchsharp/&lt;version&gt;/lib/&lt;tfm&gt;/TorchSharp.dll</c>): TorchSharp's
    /// <c>runtimes/linux-x64/native</c>, and that of the newest <c>libtorch-cpu-linux-x64</c> version in the same packages folder
    /// that holds <c>libtorch_cpu.so</c>. Null when the layout is not that.
    /// </summary>
    /// <param name="torchSharpAssembly">The path of TorchSharp.dll; empty when it was not loaded from a file.</param>
    /// <returns>The two folders, or null.</returns>
    internal static (string TorchSharp, string LibTorch)? FindPackageNativeDirectories(string torchSharpAssembly)
    {
        if (string.IsNullOrEmpty(torchSharpAssembly) || Path.GetDirectoryName(torchSharpAssembly) is not { } libTfm)
        {
            return null;
        }

        // <packages>/torchsharp/<version>/lib/<tfm>: three folders up from lib/<tfm> is <packages>.
        var version = Directory.GetParent(libTfm)?.Parent;
        var packages = version?.Parent?.Parent;
        if (version is null || packages is null)
        {
            return null;
        }

        string torchSharpNative = Path.Combine(version.FullName, "runtimes", "linux-x64", "native");
        string libTorchPackage = Path.Combine(packages.FullName, "libtorch-cpu-linux-x64");
        if (!File.Exists(Path.Combine(torchSharpNative, "libLibTorchSharp.so")) || !Directory.Exists(libTorchPackage))
        {
            return null;
        }

        string? libTorchNative = Directory.EnumerateDirectories(libTorchPackage)
            .Select(d => (Folder: d, Version: Version.TryParse(Path.GetFileName(d), out var v) ? v : null))
            .Where(d => d.Version is not null)
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Folder, "runtimes", "linux-x64", "native"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")));
        return libTorchNative is null ? null : (torchSharpNative, libTorchNative);
    }

    private static string? FindNativeDirectory()
    {
        var candidates = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
            AppContext.BaseDirectory,
        };
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
        {
            candidates.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }

        // The TorchSharp and libtorch packages may live in different folders (NuGet cache); pick the
        // folder holding libtorch_cpu.so for dependencies and the one holding libLibTorchSharp.so.
        foreach (string dir in candidates)
        {
            if (File.Exists(Path.Combine(dir, "libLibTorchSharp.so")) && File.Exists(Path.Combine(dir, "libtorch_cpu.so")))
            {
                return dir;
            }
        }

        return null;
    }

    private static IEnumerable<string> CacheRoots()
    {
        if (Environment.GetEnvironmentVariable("LUCENT_NET_CACHE") is { Length: > 0 } explicitRoot)
        {
            yield return explicitRoot;
        }

        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg)
        {
            yield return xdg;
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0)
        {
            yield return Path.Combine(home, ".cache");
        }

        yield return Path.GetTempPath();
    }

    /// <summary>Whether LibTorch's tensor allocations go through plain <c>malloc</c> (see <see cref="TensorMemoryRedirect"/>).</summary>
    internal static bool TensorMemoryRedirected => TensorMemoryRedirectFailure is null;

    /// <summary>Why the tensor-memory redirect was not installed; null when it was.</summary>
    internal static string? TensorMemoryRedirectFailure { get; private set; } = "not initialised";

    /// <summary>Which glibc allocator settings were applied at start-up (see <see cref="TuneAllocator"/>).</summary>
    internal static AllocatorTuning AllocatorTuning { get; private set; }

    /// <summary>
    /// glibc allocator settings for tensor memory. With the <see cref="TensorMemoryRedirect"/> installed
    /// (<see cref="AllocatorTuning.KeepFreedMemory"/>): a fixed 32 MiB mmap threshold and a 1 GiB trim
    /// threshold, so the blocks a render step frees are reused by the next step instead of being handed
    /// back to the kernel and faulted in again page by page. glibc's dynamic defaults gave back the top of
    /// the heap after every step: ~14,000 page faults per InceptionV1 step at batch 2 (56 MB of freshly
    /// zeroed pages), about a fifth of the step (docs/performance.md). The resident set stays at the
    /// render's peak instead of falling between steps; at most 1 GiB of free heap is kept.
    /// Without the redirect (<see cref="AllocatorTuning.MapEachBlock"/>), the fallback: LibTorch's aligned
    /// tensor blocks fragment glibc's heap (about 440 MB of growth between step 50 and 512 of a render,
    /// with a flat number of live tensors), so a 64 KiB mmap threshold and eager trimming give every large
    /// block its own mapping, which keeps memory flat but costs page faults. Opt out of both with
    /// <c>LUCENT_NET_MALLOC_TUNING=0</c>.
    /// </summary>
    private static unsafe void TuneAllocator(bool redirected)
    {
        const int trimThreshold = -1;
        const int mmapThreshold = -3;
        if (Environment.GetEnvironmentVariable("LUCENT_NET_MALLOC_TUNING") == "0" ||
            !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) ||
            !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _) ||
            !NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr mallopt))
        {
            return;
        }

        var set = (delegate* unmanaged<int, int, int>)mallopt;
        if (redirected)
        {
            // 32 MiB is glibc's largest mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX).
            AllocatorTuning = set(mmapThreshold, 32 * 1024 * 1024) == 1 & set(trimThreshold, 1024 * 1024 * 1024) == 1
                ? AllocatorTuning.KeepFreedMemory
                : AllocatorTuning.None;
        }
        else
        {
            AllocatorTuning = set(mmapThreshold, 64 * 1024) == 1 & set(trimThreshold, 0) == 1
                ? AllocatorTuning.MapEachBlock
                : AllocatorTuning.None;
        }
    }

    /// <summary>Whether libtorch's NNPACK switch is on; null when it cannot be read on this platform.</summary>
    internal static unsafe bool? IsNnpackEnabled()
    {
        if (_nnpackLibrary == IntPtr.Zero ||
            !NativeLibrary.TryGetExport(_nnpackLibrary, "_ZN2at13globalContextEv", out IntPtr getContext) ||
            !NativeLibrary.TryGetExport(_nnpackLibrary, "_ZNK2at7Context17userEnabledNNPACKEv", out IntPtr isEnabled))
        {
            return null;
        }

        IntPtr context = ((delegate* unmanaged<IntPtr>)getContext)();
        return ((delegate* unmanaged<IntPtr, byte>)isEnabled)(context) != 0;
    }

    private static unsafe void DisableNnpack(IntPtr torchCpu)
    {
        // libtorch probes NNPACK on convolutions and, on CPUs it does not support, prints
        // "Could not initialize NNPACK!" each time. Turning it off in the global context (what PyTorch's
        // torch.backends.nnpack.set_flags(False) does) keeps results identical: the regular kernels run.
        if (!NativeLibrary.TryGetExport(torchCpu, "_ZN2at13globalContextEv", out IntPtr getContext) ||
            !NativeLibrary.TryGetExport(torchCpu, "_ZN2at7Context20setUserEnabledNNPACKEb", out IntPtr setEnabled))
        {
            return;
        }

        IntPtr context = ((delegate* unmanaged<IntPtr>)getContext)();
        ((delegate* unmanaged<IntPtr, byte, void>)setEnabled)(context, 0);
    }
}
