using System.Globalization;

namespace Lucent.Net.Runtime;

/// <summary>How the kernel configuration is chosen (<c>LUCENT_NET_KERNELS</c>).</summary>
internal enum KernelMode
{
    /// <summary>The fastest configuration that passes the probe (the default).</summary>
    Auto,

    /// <summary>Only <see cref="KernelConfiguration.AsShipped"/>, probed.</summary>
    ForceAsShipped,

    /// <summary>Only <see cref="KernelConfiguration.OneDnnAvx2"/>, probed.</summary>
    ForceOneDnnAvx2,

    /// <summary>Only <see cref="KernelConfiguration.NativeKernels"/>, probed.</summary>
    ForceNativeKernels,
}

/// <summary>What the selector needs from the process: switches and the probe. Tests inject a fake.</summary>
internal interface IKernelEnvironment
{
    /// <summary>Whether the environment already caps oneDNN's instruction set (then the AVX2 candidate is not tried: the user's cap is respected).</summary>
    bool UserCapsIsa { get; }

    /// <summary>Caps oneDNN at AVX2; effective only before oneDNN's first primitive in this process.</summary>
    void CapIsaAtAvx2();

    /// <summary>Turns oneDNN on or off for convolutions (LibTorch's global switch, effective at once).</summary>
    /// <param name="enabled">On or off.</param>
    void SetOneDnnEnabled(bool enabled);

    /// <summary>Runs the full float32 probe on the kernels as they are now.</summary>
    /// <returns>The report.</returns>
    KernelProbeReport Probe();

    /// <summary>Runs a short probe (a few shapes) to confirm a cached verdict.</summary>
    /// <returns>The report.</returns>
    KernelProbeReport Confirm();
}

/// <summary>One configuration's probe outcome, as the cache stores it.</summary>
internal sealed class KernelResultRecord
{
    /// <summary>Whether float32 was right.</summary>
    public bool Float32Correct { get; set; }

    /// <summary>Whether bfloat16 was right; null until a bfloat16 model is first rendered (bfloat16 is probed lazily).</summary>
    public bool? BFloat16Correct { get; set; }

    /// <summary>The largest float32 relative error.</summary>
    public double MaxFloat32Error { get; set; }

    /// <summary>The failures, as one-line descriptions.</summary>
    public List<KernelProbeFailure> Failures { get; set; } = [];

    /// <summary>How long the probe took, in milliseconds.</summary>
    public double ProbeMilliseconds { get; set; }

    /// <summary>Makes a record from a report.</summary>
    public static KernelResultRecord From(KernelProbeReport report) => new()
    {
        Float32Correct = report.Float32Correct,
        BFloat16Correct = report.BFloat16Cases > 0 ? report.BFloat16Correct : null,
        MaxFloat32Error = report.MaxFloat32Error,
        Failures = [.. report.Failures],
        ProbeMilliseconds = report.Duration.TotalMilliseconds,
    };
}

/// <summary>The per-machine memory of the kernel check (one JSON file per CPU, LibTorch and thread count).</summary>
internal sealed class KernelCacheEntry
{
    /// <summary>The format version; entries of other versions are ignored.</summary>
    public int Version { get; set; } = KernelSelector.CacheVersion;

    /// <summary>The key the entry was made for (CPU, flags, LibTorch, threads, environment).</summary>
    public string Key { get; set; } = "";

    /// <summary>The CPU it was made on (<see cref="CpuIdentity.Name"/>); an entry for another CPU is discarded.</summary>
    public string Cpu { get; set; } = "";

    /// <summary>The TorchSharp and LibTorch it was made with; an entry for another LibTorch is discarded.</summary>
    public string LibTorch { get; set; } = "";

    /// <summary>Probe outcomes per configuration name.</summary>
    public Dictionary<string, KernelResultRecord> Results { get; set; } = [];

    /// <summary>The configuration chosen once every candidate was tried; null while one is pending.</summary>
    public KernelConfiguration? Chosen { get; set; }

    /// <summary>The outcome recorded for a configuration, or null.</summary>
    public KernelResultRecord? For(KernelConfiguration configuration) =>
        Results.TryGetValue(configuration.ToString(), out var record) ? record : null;

    /// <summary>Records an outcome.</summary>
    public void Set(KernelConfiguration configuration, KernelResultRecord record) => Results[configuration.ToString()] = record;

    /// <summary>
    /// Checks an entry read from a file that anyone with write access to the cache folder may have written:
    /// its shape (no missing parts), its identity (format version, key, CPU and LibTorch of this process),
    /// its keys (only known configurations) and the consistency of its values (a record's flags agree with
    /// its failures; the chosen configuration has a record that found it correct).
    /// </summary>
    /// <param name="key">This process's cache key.</param>
    /// <param name="cpu">This machine's CPU (<see cref="CpuIdentity.Name"/>).</param>
    /// <param name="libTorch">This process's TorchSharp and LibTorch identity.</param>
    /// <returns>Null when the entry may be used, else why it is discarded.</returns>
    public string? Problem(string key, string cpu, string libTorch)
    {
        if (Version != KernelSelector.CacheVersion)
        {
            return $"its format version is {Version}, not {KernelSelector.CacheVersion}";
        }

        if (Key != key || Cpu != cpu || LibTorch != libTorch)
        {
            return "it was made for another CPU, LibTorch or setting";
        }

        if (Results is null)
        {
            return "it has no results";
        }

        if (Chosen is { } chosen && (!Enum.IsDefined(chosen) || For(chosen) is not { Float32Correct: true }))
        {
            return "its chosen configuration is unknown or was not found correct";
        }

        foreach (var (name, record) in Results)
        {
            if (!Enum.TryParse<KernelConfiguration>(name, ignoreCase: false, out var configuration) || configuration.ToString() != name)
            {
                return $"it names an unknown configuration '{name}'";
            }

            if (record?.Failures is not { } failures)
            {
                return $"its record for {name} is incomplete";
            }

            bool float32Failures = false;
            bool bfloat16Failures = false;
            foreach (var failure in failures)
            {
                if (failure is null || failure.Case is null || failure.Layout is null || failure.Pass is null ||
                    failure.DataType is not ("float32" or "bfloat16") || !(failure.RelativeError >= 0) || !(failure.Tolerance > 0))
                {
                    return $"its record for {name} holds a malformed failure";
                }

                float32Failures |= failure.DataType == "float32";
                bfloat16Failures |= failure.DataType == "bfloat16";
            }

            if (record.Float32Correct == float32Failures ||
                (record.BFloat16Correct != false && bfloat16Failures) || (record.BFloat16Correct == false && !bfloat16Failures) ||
                !(record.MaxFloat32Error >= 0) || !(record.ProbeMilliseconds >= 0))
            {
                return $"its record for {name} contradicts itself";
            }
        }

        return null;
    }
}

/// <summary>
/// Decides which convolution kernels a process runs. oneDNN reads its instruction-set cap once, before its
/// first primitive, so one process can try at most one oneDNN configuration; turning oneDNN off works at
/// any time. The decision therefore spans process starts, remembered in a <see cref="KernelCacheEntry"/>:
/// <list type="number">
/// <item>A chosen configuration in the cache is applied and confirmed by a short probe.</item>
/// <item>Otherwise the next untried oneDNN configuration (as shipped, then capped at AVX2) is applied and
/// probed; if it is right it is chosen.</item>
/// <item>If it is wrong, oneDNN is turned off for this process (LibTorch's own kernels), which is probed
/// too; the next start tries the next oneDNN candidate. When none is left, LibTorch's own kernels are
/// chosen if right.</item>
/// <item>If nothing is right, the verdict says so and rendering refuses (<see cref="KernelCheckException"/>).</item>
/// </list>
/// The cache is never trusted to refuse: a cached outcome for LibTorch's own kernels is re-probed in the
/// process when it says they are wrong, and confirmed by the short probe when it says they are right, so a
/// forged entry can at most make a process run slower kernels, never render with wrong ones or refuse.
/// </summary>
internal static class KernelSelector
{
    /// <summary>The cache format version (bump when the probe's cases or tolerances change).</summary>
    public const int CacheVersion = 2;

    private static readonly KernelConfiguration[] OneDnnCandidates = [KernelConfiguration.AsShipped, KernelConfiguration.OneDnnAvx2];

    /// <summary>Chooses and applies the configuration.</summary>
    /// <param name="mode">Automatic or forced.</param>
    /// <param name="cached">The cache entry for this machine, or null.</param>
    /// <param name="environment">Switches and probe.</param>
    /// <param name="cpu">The CPU's name, for messages.</param>
    /// <returns>The verdict and the entry to store (null when nothing new was learnt).</returns>
    public static (KernelVerdict Verdict, KernelCacheEntry? ToStore) Select(KernelMode mode, KernelCacheEntry? cached, IKernelEnvironment environment, string cpu)
    {
        return mode == KernelMode.Auto ? SelectAutomatically(cached, environment, cpu) : SelectForced(mode, environment, cpu);
    }

    private static (KernelVerdict, KernelCacheEntry?) SelectAutomatically(KernelCacheEntry? cached, IKernelEnvironment environment, string cpu)
    {
        var entry = cached ?? new KernelCacheEntry();
        var candidates = OneDnnCandidates.Where(c => c != KernelConfiguration.OneDnnAvx2 || !environment.UserCapsIsa).ToArray();
        if (entry.Chosen is null && entry.For(KernelConfiguration.NativeKernels) is { Float32Correct: false } &&
            candidates.All(c => entry.For(c) is { Float32Correct: false }))
        {
            // A cached verdict that would refuse every configuration is not trusted (it may be forged or stale): start over.
            entry = new KernelCacheEntry { Key = entry.Key, Cpu = entry.Cpu, LibTorch = entry.LibTorch };
        }

        bool isaTouched = false;
        if (entry.Chosen is { } chosen && entry.For(chosen) is { Float32Correct: true } chosenRecord)
        {
            Apply(chosen, environment);
            var confirm = environment.Confirm();
            if (confirm.Float32Correct)
            {
                return (Verdict(chosen, chosenRecord, entry, fromCache: true, probe: null, next: null, cpu), null);
            }

            // The cached choice no longer holds (e.g. oneDNN was used before the cap could apply): start over.
            entry = new KernelCacheEntry { Key = entry.Key, Cpu = entry.Cpu, LibTorch = entry.LibTorch };
            isaTouched = true;
            environment.SetOneDnnEnabled(true);
        }

        var untried = candidates.Where(c => entry.For(c) is null).ToList();
        if (!isaTouched && untried.Count > 0)
        {
            var candidate = untried[0];
            untried.RemoveAt(0);
            Apply(candidate, environment);
            var report = environment.Probe();
            var record = KernelResultRecord.From(report);
            entry.Set(candidate, record);
            if (report.Float32Correct)
            {
                entry.Chosen = candidate;
                return (Verdict(candidate, record, entry, fromCache: false, report, next: null, cpu), entry);
            }
        }

        // The oneDNN configuration this process can run is wrong: use LibTorch's own kernels.
        environment.SetOneDnnEnabled(false);
        KernelProbeReport? nativeReport = null;
        var native = entry.For(KernelConfiguration.NativeKernels);
        if (native is { Float32Correct: true } && !environment.Confirm().Float32Correct)
        {
            // The cache said LibTorch's own kernels are right, but the short probe disagrees: probe them fully.
            native = null;
        }

        if (native is not { Float32Correct: true })
        {
            // Refusing needs a probe in this process: an outcome read from the cache that says "wrong" is not trusted.
            nativeReport = environment.Probe();
            native = KernelResultRecord.From(nativeReport);
            entry.Set(KernelConfiguration.NativeKernels, native);
        }

        KernelConfiguration? next = untried.Count > 0 ? untried[0] : null;
        if (next is null && native.Float32Correct)
        {
            entry.Chosen = KernelConfiguration.NativeKernels;
        }

        return (Verdict(KernelConfiguration.NativeKernels, native, entry, fromCache: nativeReport is null, nativeReport, next, cpu), entry);
    }

    private static (KernelVerdict, KernelCacheEntry?) SelectForced(KernelMode mode, IKernelEnvironment environment, string cpu)
    {
        var configuration = mode switch
        {
            KernelMode.ForceAsShipped => KernelConfiguration.AsShipped,
            KernelMode.ForceOneDnnAvx2 => KernelConfiguration.OneDnnAvx2,
            _ => KernelConfiguration.NativeKernels,
        };
        Apply(configuration, environment);
        var report = environment.Probe();
        var record = KernelResultRecord.From(report);
        var entry = new KernelCacheEntry();
        entry.Set(configuration, record);
        var verdict = Verdict(configuration, record, entry, fromCache: false, report, next: null, cpu);
        return (verdict with { Description = verdict.Description + " (forced by LUCENT_NET_KERNELS)" }, null);
    }

    private static void Apply(KernelConfiguration configuration, IKernelEnvironment environment)
    {
        switch (configuration)
        {
            case KernelConfiguration.OneDnnAvx2:
                environment.CapIsaAtAvx2();
                environment.SetOneDnnEnabled(true);
                break;
            case KernelConfiguration.NativeKernels:
                environment.SetOneDnnEnabled(false);
                break;
            default:
                environment.SetOneDnnEnabled(true);
                break;
        }
    }

    /// <summary>The verdict for the configuration in use after its record changed (e.g. bfloat16 was probed).</summary>
    public static KernelVerdict Refresh(KernelVerdict verdict, KernelCacheEntry entry, string cpu)
    {
        var record = entry.For(verdict.Configuration) ?? new KernelResultRecord { Float32Correct = verdict.Float32Correct };
        return Verdict(verdict.Configuration, record, entry, verdict.FromCache, verdict.Probe, verdict.NextStartTries, cpu);
    }

    private static KernelVerdict Verdict(KernelConfiguration configuration, KernelResultRecord record, KernelCacheEntry entry, bool fromCache, KernelProbeReport? probe, KernelConfiguration? next, string cpu)
    {
        var asShipped = entry.For(KernelConfiguration.AsShipped);
        IReadOnlyList<KernelProbeFailure> asShippedFailures = asShipped?.Failures ?? [];
        string description;
        if (!record.Float32Correct)
        {
            description = string.Create(CultureInfo.InvariantCulture,
                $"LibTorch's float32 convolutions are wrong on this CPU ({cpu}) with {Describe(configuration)} ({record.Failures.Count} failed checks, largest relative error {record.MaxFloat32Error:G3}; first: {record.Failures.FirstOrDefault()}). Rendering is refused; see docs/cpu-correctness.md.");
        }
        else if (configuration == KernelConfiguration.AsShipped)
        {
            description = string.Create(CultureInfo.InvariantCulture,
                $"LibTorch's convolutions are correct on this CPU ({cpu}) as shipped (checked against float64{(fromCache ? ", cached" : "")}).");
        }
        else
        {
            string why = asShipped is null
                ? ""
                : string.Create(CultureInfo.InvariantCulture, $" LibTorch as shipped is wrong here ({asShipped.Failures.Count} failed checks, largest relative error {asShipped.MaxFloat32Error:G3});");
            string nextText = next is { } n ? $"; the next start tries {Describe(n)}" : "";
            description = string.Create(CultureInfo.InvariantCulture,
                $"Kernel check on {cpu}:{why} using {Describe(configuration)}, verified against float64{(fromCache ? " (cached)" : "")}{nextText}. Override with LUCENT_NET_KERNELS; see docs/cpu-correctness.md.");
        }

        if (record.Float32Correct && record.BFloat16Correct == false)
        {
            description += " bfloat16 convolutions are wrong here: bfloat16 models are refused.";
        }

        return new KernelVerdict(configuration, true, record.Float32Correct, record.BFloat16Correct, fromCache, asShippedFailures, probe, next, description);
    }

    /// <summary>A configuration in words.</summary>
    public static string Describe(KernelConfiguration configuration) => configuration switch
    {
        KernelConfiguration.AsShipped => "oneDNN as shipped",
        KernelConfiguration.OneDnnAvx2 => "oneDNN capped at AVX2 (ONEDNN_MAX_CPU_ISA=AVX2)",
        _ => "LibTorch's own convolution kernels (oneDNN off)",
    };
}
