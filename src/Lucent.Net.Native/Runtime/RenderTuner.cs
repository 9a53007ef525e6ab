using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Lucent.Net.Runtime;

/// <summary>How the render defaults are chosen (<c>LUCENT_NET_TUNING</c>).</summary>
internal enum TuningMode
{
    /// <summary>Read the cache, measure when it holds nothing usable (opt-in: <c>LUCENT_NET_TUNING=auto</c>).</summary>
    Auto,

    /// <summary>Measure again now and replace the cache.</summary>
    Remeasure,

    /// <summary>Do not measure: the rule of thumb by the kernels in use (the default until the stand-in is validated; docs/performance.md).</summary>
    Off,
}

/// <summary>Where the tuning is cached and what it must match: the kernel verdict's key and roots, and this process's identity.</summary>
/// <param name="Key">The kernel verdict's cache key (CPU and flags, LibTorch, threads at start-up, oneDNN environment).</param>
/// <param name="Roots">The cache roots, most preferred first.</param>
/// <param name="Cpu">This machine's CPU name.</param>
/// <param name="LibTorch">This process's TorchSharp and LibTorch identity.</param>
/// <param name="Threads">LibTorch's intra-op thread count now.</param>
internal sealed record TuningLocation(string Key, IReadOnlyList<string> Roots, string Cpu, string LibTorch, int Threads);

/// <summary>One candidate as the tuning cache stores it.</summary>
internal sealed class TuningCandidateRecord
{
    /// <summary>The micro-batch size; null for the whole batch.</summary>
    public int? MicroBatchSize { get; set; }

    /// <summary>Milliseconds per stand-in image, one per repetition.</summary>
    public List<double> Samples { get; set; } = [];

    /// <summary>Whether its gradient equalled the whole batch's.</summary>
    public bool Correct { get; set; }
}

/// <summary>The per-machine memory of the render tuning: one JSON file beside the kernel verdict, with the same key.</summary>
internal sealed class TuningCacheEntry
{
    /// <summary>The format version; entries of other versions are ignored.</summary>
    public int Version { get; set; } = RenderTuner.CacheVersion;

    /// <summary>The kernel verdict's key it was measured under.</summary>
    public string Key { get; set; } = "";

    /// <summary>The CPU it was measured on.</summary>
    public string Cpu { get; set; } = "";

    /// <summary>The TorchSharp and LibTorch it was measured with.</summary>
    public string LibTorch { get; set; } = "";

    /// <summary>LibTorch's intra-op thread count during the measurement.</summary>
    public int Threads { get; set; }

    /// <summary>The kernel configuration during the measurement.</summary>
    public KernelConfiguration Kernels { get; set; }

    /// <summary>The candidates' measurements.</summary>
    public List<TuningCandidateRecord> Candidates { get; set; } = [];

    /// <summary>The chosen micro-batch size (null: the whole batch); must be what <see cref="TuningDecision.Decide"/> makes of <see cref="Candidates"/>.</summary>
    public int? Chosen { get; set; }

    /// <summary>How long the measurement took, in milliseconds.</summary>
    public double MeasurementMilliseconds { get; set; }

    /// <summary>
    /// Checks an entry read from a file that anyone with write access to the cache folder may have written: its
    /// identity (format version, key, CPU, LibTorch, threads, kernels of this process), its candidates (exactly
    /// <see cref="RenderTuner.Candidates"/>, at most <see cref="RenderTuner.MaxRounds"/> finite positive samples
    /// each) and its choice (the decision recomputed from its own samples).
    /// </summary>
    /// <param name="location">This process's key and identity.</param>
    /// <param name="kernels">The kernels in use.</param>
    /// <returns>Null when the entry may be used, else why it is discarded.</returns>
    public string? Problem(TuningLocation location, KernelConfiguration kernels)
    {
        if (Version != RenderTuner.CacheVersion)
        {
            return $"its format version is {Version}, not {RenderTuner.CacheVersion}";
        }

        if (Key != location.Key || Cpu != location.Cpu || LibTorch != location.LibTorch || Threads != location.Threads || Kernels != kernels)
        {
            return "it was measured on another CPU, LibTorch, thread count or kernel configuration";
        }

        if (Candidates is null || Candidates.Count != RenderTuner.Candidates.Count || Candidates.Any(c => c is null || c.Samples is null))
        {
            return "its candidates are missing or incomplete";
        }

        for (int i = 0; i < Candidates.Count; i++)
        {
            var candidate = Candidates[i];
            if (candidate.MicroBatchSize != RenderTuner.Candidates[i])
            {
                return "its candidates are not the ones measured";
            }

            if (candidate.Samples.Count > RenderTuner.MaxRounds || candidate.Samples.Any(s => !double.IsFinite(s) || s <= 0))
            {
                return $"its samples for {candidate.MicroBatchSize?.ToString(CultureInfo.InvariantCulture) ?? "the whole batch"} are out of range";
            }
        }

        if (!double.IsFinite(MeasurementMilliseconds) || MeasurementMilliseconds < 0)
        {
            return "its measurement time is out of range";
        }

        var (choice, _) = TuningDecision.Decide(Samples(), RenderTuner.RuleOfThumb(kernels));
        return choice == Chosen ? null : "its choice contradicts its own measurements";
    }

    /// <summary>The candidates as the decision reads them.</summary>
    public List<TuningSamples> Samples() => [.. Candidates.Select(c => new TuningSamples(c.MicroBatchSize, c.Samples, c.Correct))];
}

/// <summary>
/// Chooses the render defaults of this machine by measuring them (docs/performance.md, "Measured defaults"):
/// the micro-batch size of batched renders, from the candidates <see cref="Candidates"/>, timed interleaved on
/// <see cref="TuningStandIn"/> within <see cref="BudgetMilliseconds"/>, decided by <see cref="TuningDecision"/>,
/// cached beside the kernel verdict and measured again when the CPU, LibTorch, thread count or kernels change.
/// </summary>
internal static class RenderTuner
{
    /// <summary>The cache format version (bump when the stand-in, the candidates or the decision change).</summary>
    public const int CacheVersion = 1;

    /// <summary>The most repetitions counted per candidate.</summary>
    public const int MaxRounds = 5;

    /// <summary>The time the measurement may take, warm-up included.</summary>
    public const double BudgetMilliseconds = 1500;

    private const string ModeVariable = "LUCENT_NET_TUNING";
    private const int MaxCacheFileBytes = 64 * 1024;

    /// <summary>Tolerated difference of a candidate's input gradient from the whole batch's, relative to its largest magnitude.</summary>
    private const double GradientTolerance = 1e-4;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>
    /// The micro-batch sizes measured: the whole batch (null), 1 and 2 (4 was dropped to fit three rounds in the
    /// budget; on the machines measured it was never the fastest).
    /// </summary>
    public static IReadOnlyList<int?> Candidates { get; } = [null, 1, 2];

    /// <summary>
    /// The default before measuring, kept unless a candidate beats it by the margin: one image at a time with
    /// LibTorch's own convolutions (which compute image by image), the whole batch with oneDNN.
    /// </summary>
    /// <param name="kernels">The kernels in use.</param>
    /// <returns>The micro-batch size; null for the whole batch.</returns>
    public static int? RuleOfThumb(KernelConfiguration kernels) => kernels == KernelConfiguration.NativeKernels ? 1 : null;

    /// <summary>Parses <c>LUCENT_NET_TUNING</c>.</summary>
    /// <param name="text">The value, or null.</param>
    /// <returns>The mode.</returns>
    /// <exception cref="NativeRuntimeException">The value is not one of the documented ones.</exception>
    public static TuningMode ParseMode(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        "AUTO" or "1" or "ON" => TuningMode.Auto,
        "REMEASURE" => TuningMode.Remeasure,
        null or "" or "0" or "OFF" or "FALSE" => TuningMode.Off,
        _ => throw new NativeRuntimeException(
            $"{ModeVariable}='{text}' is not a tuning mode. Use off (the default), auto or remeasure; see docs/performance.md."),
    };

    /// <summary>Resolves the tuning for this process from the environment variable, the cache and, if needed, a measurement of the stand-in.</summary>
    /// <param name="verdict">The kernel verdict.</param>
    /// <param name="location">Where to cache, or null when there is no per-machine key (the kernel check is off).</param>
    /// <returns>The tuning.</returns>
    public static RenderTuning Run(KernelVerdict verdict, TuningLocation? location) =>
        Resolve(ParseMode(Environment.GetEnvironmentVariable(ModeVariable)), verdict, location, MeasureStandIn);

    /// <summary>Resolves the tuning (tests inject the measurement).</summary>
    /// <param name="mode">Automatic, re-measure or off.</param>
    /// <param name="verdict">The kernel verdict.</param>
    /// <param name="location">Where to cache, or null.</param>
    /// <param name="measure">Measures the candidates: their samples and the milliseconds it took.</param>
    /// <returns>The tuning.</returns>
    public static RenderTuning Resolve(
        TuningMode mode,
        KernelVerdict verdict,
        TuningLocation? location,
        Func<IReadOnlyList<int?>, (List<TuningSamples> Samples, double Milliseconds)> measure)
    {
        var kernels = verdict.Configuration;
        int? rule = RuleOfThumb(kernels);
        if (mode == TuningMode.Off || location is null || !verdict.Checked || !verdict.Float32Correct)
        {
            string why = mode == TuningMode.Off ? $"{ModeVariable}=off"
                : !verdict.Checked || location is null ? "the kernel check is off"
                : "the kernels are wrong here";
            return new RenderTuning(rule, RenderTuningSource.RuleOfThumb, kernels, [], 0,
                $"{Setting(rule)} (not measured: {why}; the rule of thumb for {KernelSelector.Describe(kernels)})");
        }

        if (mode == TuningMode.Auto && ReadCache(location, kernels) is { } cached)
        {
            return Describe(cached, RenderTuningSource.Cached);
        }

        var (samples, milliseconds) = measure(Candidates);
        if (!TuningDecision.Conclusive(samples, rule))
        {
            // Too busy to finish the repetitions within the budget: nothing is cached, the next process measures again.
            var timings = samples.Select(c => new RenderTuningTiming(c.MicroBatchSize, TuningDecision.Median(c.Samples), c.Samples.Count, c.Correct)).ToList();
            return new RenderTuning(rule, RenderTuningSource.RuleOfThumb, kernels, timings, milliseconds,
                string.Create(CultureInfo.InvariantCulture,
                    $"{Setting(rule)} (not measured: the stand-in did not finish {TuningDecision.MinRepetitions} repetitions within {BudgetMilliseconds:F0} ms, {milliseconds:F0} ms spent (a busy machine?); the rule of thumb for {KernelSelector.Describe(kernels)}; measured again by the next process)"));
        }

        var (choice, _) = TuningDecision.Decide(samples, rule);
        var entry = new TuningCacheEntry
        {
            Key = location.Key,
            Cpu = location.Cpu,
            LibTorch = location.LibTorch,
            Threads = location.Threads,
            Kernels = kernels,
            Candidates = [.. samples.Select(s => new TuningCandidateRecord { MicroBatchSize = s.MicroBatchSize, Samples = [.. s.Samples.Take(MaxRounds)], Correct = s.Correct })],
            Chosen = choice,
            MeasurementMilliseconds = double.IsFinite(milliseconds) && milliseconds >= 0 ? milliseconds : 0,
        };
        if (entry.Problem(location, kernels) is null)
        {
            WriteCache(location, entry);
        }

        return Describe(entry, RenderTuningSource.Measured);
    }

    /// <summary>The cache file for a key under a root: beside the kernel verdict's folder (<c>lucent-net/kernel-check</c>), with the same key.</summary>
    /// <param name="root">The cache root.</param>
    /// <param name="key">The kernel verdict's key.</param>
    /// <returns>The path.</returns>
    public static string CachePath(string root, string key) => Path.Combine(root, "lucent-net", "render-tuning", key + ".json");

    /// <summary>
    /// Reads the tuning from the first root that holds a usable one: a regular file (no link, FIFO or device) of at
    /// most 64 KiB counted as read, that parses and passes <see cref="TuningCacheEntry.Problem"/>.
    /// </summary>
    /// <param name="location">The key, roots and identity.</param>
    /// <param name="kernels">The kernels in use.</param>
    /// <returns>The entry, or null when none may be used.</returns>
    public static TuningCacheEntry? ReadCache(TuningLocation location, KernelConfiguration kernels)
    {
        foreach (string root in location.Roots)
        {
            try
            {
                byte[] bytes = RegularFile.ReadAtMost(CachePath(root, location.Key), MaxCacheFileBytes, followSymbolicLinks: false);
                if (bytes.Length > MaxCacheFileBytes)
                {
                    continue;
                }

                var entry = JsonSerializer.Deserialize<TuningCacheEntry>(bytes, JsonOptions);
                if (entry is not null && entry.Problem(location, kernels) is null)
                {
                    return entry;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or ArgumentException)
            {
                // A missing, unreadable, irregular or malformed entry is ignored, measured again and replaced.
            }
        }

        return null;
    }

    /// <summary>Writes the entry to the first root that accepts it: a new temporary file, flushed, then renamed over the old one.</summary>
    /// <param name="location">The key and roots.</param>
    /// <param name="entry">The entry.</param>
    public static void WriteCache(TuningLocation location, TuningCacheEntry entry) =>
        CacheFiles.WriteFirstRoot(location.Roots, root => CachePath(root, location.Key), JsonSerializer.SerializeToUtf8Bytes(entry, JsonOptions));

    /// <summary>Times the candidates on <see cref="TuningStandIn"/>: a warm-up round that also checks each candidate's gradient against the whole batch's, then interleaved rounds within the budget.</summary>
    /// <param name="candidates">The candidates.</param>
    /// <returns>The samples and the milliseconds the measurement took.</returns>
    public static (List<TuningSamples> Samples, double Milliseconds) MeasureStandIn(IReadOnlyList<int?> candidates)
    {
        var clock = Stopwatch.StartNew();
        using var standIn = new TuningStandIn();
        Tensor? reference = null;
        double scale = 0;
        try
        {
            var samples = TuningDecision.Collect(
                candidates,
                warmUp: c =>
                {
                    if (reference is null)
                    {
                        // The whole batch is the reference (the first candidate, so its warm-up pass computes it).
                        reference = standIn.Gradient(null);
                        using (NewDisposeScope())
                        {
                            scale = Math.Max(reference.abs().max().item<float>(), 1e-30);
                        }

                        if (c is null)
                        {
                            return true;
                        }
                    }

                    using var scope = NewDisposeScope();
                    var gradient = standIn.Gradient(c);
                    return (gradient - reference).abs().max().item<float>() <= GradientTolerance * scale;
                },
                timeOne: standIn.Time,
                elapsedMilliseconds: () => clock.Elapsed.TotalMilliseconds,
                budgetMilliseconds: BudgetMilliseconds,
                maxRounds: MaxRounds);
            return (samples, clock.Elapsed.TotalMilliseconds);
        }
        finally
        {
            reference?.Dispose();
        }
    }

    /// <summary>A setting in words.</summary>
    /// <param name="microBatch">The micro-batch size; null for the whole batch.</param>
    /// <returns><c>whole batch</c> or <c>micro-batch N</c>.</returns>
    public static string Setting(int? microBatch) => new RenderTuningTiming(microBatch, double.NaN, 0, true).Setting;

    private static RenderTuning Describe(TuningCacheEntry entry, RenderTuningSource source)
    {
        var timings = entry.Candidates
            .Select(c => new RenderTuningTiming(c.MicroBatchSize, TuningDecision.Median(c.Samples), c.Samples.Count, c.Correct))
            .ToList();
        var text = new StringBuilder();
        text.Append(Setting(entry.Chosen)).Append(" (measured on the stand-in, ms per image:");
        foreach (var timing in timings)
        {
            text.Append(' ').Append(timing.MicroBatchSize?.ToString(CultureInfo.InvariantCulture) ?? "whole")
                .Append('=').Append(timing.MedianMilliseconds.ToString("F1", CultureInfo.InvariantCulture));
            if (!timing.Correct)
            {
                text.Append("(wrong)");
            }
        }

        text.Append(string.Create(CultureInfo.InvariantCulture, $"; median of {timings.Max(t => t.Repetitions)}, {entry.MeasurementMilliseconds:F0} ms"));
        text.Append(source == RenderTuningSource.Cached ? ", cached)" : ")");
        return new RenderTuning(entry.Chosen, source, entry.Kernels, timings, entry.MeasurementMilliseconds, text.ToString());
    }
}
