using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lucent.Net.Runtime;

/// <summary>How the render defaults are chosen (<c>LUCENT_NET_TUNING</c>).</summary>
internal enum TuningMode
{
    /// <summary>Read the cache, measure when it holds nothing usable (the default).</summary>
    Auto,

    /// <summary>Measure again now and replace the cache.</summary>
    Remeasure,

    /// <summary>Do not measure: the rule of thumb by the kernels in use.</summary>
    Off,
}

/// <summary>Where the tuning is cached and what it must match: the kernel verdict's key and roots, and this process's identity.</summary>
/// <param name="Key">The kernel verdict's cache key (CPU and flags, LibTorch, threads at start-up, oneDNN environment).</param>
/// <param name="Roots">The cache roots, most preferred first.</param>
/// <param name="Cpu">This machine's CPU name.</param>
/// <param name="LibTorch">This process's TorchSharp and LibTorch identity.</param>
/// <param name="Threads">LibTorch's intra-op thread count now.</param>
/// <param name="Allocator">The glibc allocator settings of this process (<see cref="AllocatorTuning"/>): they change which micro-batch is fastest.</param>
internal sealed record TuningLocation(string Key, IReadOnlyList<string> Roots, string Cpu, string LibTorch, int Threads, AllocatorTuning Allocator);

/// <summary>
/// What a batched render runs, as far as its best micro-batch size can depend on it: the model (its type and size),
/// the layers the objectives read, the model's input shape and type, and the batch.
/// </summary>
/// <param name="Description">The workload in words, e.g. <c>InceptionV1Model params=6997136 layers=mixed4a input=10x3x224x224 Float32 stop-early</c>.</param>
/// <param name="Batch">The images per step.</param>
internal sealed record TuningWorkload(string Description, int Batch)
{
    /// <summary>The most characters of a workload's description (a longer one is cut; the hash names the file).</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>The description as stored: control characters replaced, at most <see cref="MaxDescriptionLength"/> characters.</summary>
    public string Stored => new([.. Description.Take(MaxDescriptionLength).Select(c => char.IsControl(c) ? ' ' : c)]);

    /// <summary>The first 16 hex digits of the SHA-256 of <see cref="Stored"/> and the batch: part of the cache file's name.</summary>
    public string Hash => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Stored + "\nbatch=" + Batch.ToString(CultureInfo.InvariantCulture))))[..16];
}

/// <summary>One candidate as the tuning cache stores it.</summary>
internal sealed class TuningCandidateRecord
{
    /// <summary>The micro-batch size; null for the whole batch.</summary>
    public int? MicroBatchSize { get; set; }

    /// <summary>Milliseconds per image, one per repetition.</summary>
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

    /// <summary>The workload measured (<see cref="TuningWorkload.Stored"/>).</summary>
    public string Workload { get; set; } = "";

    /// <summary>The images per step of the workload measured.</summary>
    public int Batch { get; set; }

    /// <summary>The CPU it was measured on.</summary>
    public string Cpu { get; set; } = "";

    /// <summary>The TorchSharp and LibTorch it was measured with.</summary>
    public string LibTorch { get; set; } = "";

    /// <summary>LibTorch's intra-op thread count during the measurement.</summary>
    public int Threads { get; set; }

    /// <summary>The kernel configuration during the measurement.</summary>
    public KernelConfiguration Kernels { get; set; }

    /// <summary>The glibc allocator settings during the measurement (page faults weigh on large batches).</summary>
    public AllocatorTuning Allocator { get; set; }

    /// <summary>The candidates' measurements.</summary>
    public List<TuningCandidateRecord> Candidates { get; set; } = [];

    /// <summary>The chosen micro-batch size (null: the whole batch); must be what <see cref="TuningDecision.Decide"/> makes of <see cref="Candidates"/>.</summary>
    public int? Chosen { get; set; }

    /// <summary>How long the measurement took, in milliseconds.</summary>
    public double MeasurementMilliseconds { get; set; }

    /// <summary>
    /// Checks an entry read from a file that anyone with write access to the cache folder may have written: its
    /// identity (format version, key, CPU, LibTorch, threads, kernels of this process, the workload), its candidates
    /// (exactly <see cref="RenderTuner.CandidatesFor"/> its batch, at most <see cref="RenderTuner.MaxRounds"/> finite
    /// positive samples each) and its choice (the decision recomputed from its own samples).
    /// </summary>
    /// <param name="location">This process's key and identity.</param>
    /// <param name="kernels">The kernels in use.</param>
    /// <param name="workload">The workload about to run.</param>
    /// <returns>Null when the entry may be used, else why it is discarded.</returns>
    public string? Problem(TuningLocation location, KernelConfiguration kernels, TuningWorkload workload)
    {
        if (Version != RenderTuner.CacheVersion)
        {
            return $"its format version is {Version}, not {RenderTuner.CacheVersion}";
        }

        if (Key != location.Key || Cpu != location.Cpu || LibTorch != location.LibTorch || Threads != location.Threads || Kernels != kernels || Allocator != location.Allocator)
        {
            return "it was measured on another CPU, LibTorch, thread count, kernel configuration or allocator setting";
        }

        if (Workload != workload.Stored || Batch != workload.Batch)
        {
            return "it was measured on another workload";
        }

        var expected = RenderTuner.CandidatesFor(workload.Batch);
        if (Candidates is null || Candidates.Count != expected.Count || Candidates.Any(c => c is null || c.Samples is null))
        {
            return "its candidates are missing or incomplete";
        }

        for (int i = 0; i < Candidates.Count; i++)
        {
            var candidate = Candidates[i];
            if (candidate.MicroBatchSize != expected[i])
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
/// Chooses the micro-batch size of batched CPU renders by measuring it on the render's own workload (docs/performance.md,
/// "Measured defaults"): at the first step of the first render of a workload, the candidates
/// (<see cref="CandidatesFor"/>) run the model's forward and backward passes on that step's transformed images,
/// interleaved, within <see cref="BudgetMilliseconds"/>; <see cref="TuningDecision"/> decides; the choice is cached
/// per machine (the kernel verdict's key) and workload, kept for the rest of the process, and measured again when the
/// CPU, LibTorch, thread count, kernels or allocator settings change.
/// </summary>
internal static class RenderTuner
{
    /// <summary>The cache format version (bump when the measurement, the candidates or the decision change).</summary>
    public const int CacheVersion = 3;

    /// <summary>The most repetitions counted per candidate.</summary>
    public const int MaxRounds = 5;

    /// <summary>
    /// The least time the measurement may take, warm-up included (it may overrun its budget by at most one warm-up pass
    /// of each candidate); a long render allows more (<see cref="BudgetFor"/>).
    /// </summary>
    public const double BudgetMilliseconds = 3000;

    /// <summary>The most time the measurement may take, however long the render (plus at most one warm-up pass of each candidate).</summary>
    public const double MaxBudgetMilliseconds = 30000;

    /// <summary>The share of a render's expected time (its steps times the whole batch's first pass) the measurement may take above <see cref="BudgetMilliseconds"/>.</summary>
    public const double BudgetShareOfRender = 0.05;

    /// <summary>
    /// Each micro-batched candidate is timed on this many of the batch's first images (rounded up to whole
    /// micro-batches; the whole batch always runs whole): enough passes for a steady per-image time, fewer than a
    /// whole batch so that three rounds fit the budget.
    /// </summary>
    public const int TimedImages = 4;

    /// <summary>
    /// A machine whose 1-minute load average is above this many runnable threads per core is too busy for its timings to
    /// stand for the machine: what is measured there is used by that process only, never cached (docs/performance.md).
    /// </summary>
    public const double BusyLoadPerCore = 2.0;

    /// <summary>The environment variable that turns the measurement off or forces a new one.</summary>
    public const string ModeVariable = "LUCENT_NET_TUNING";

    private const int MaxCacheFileBytes = 64 * 1024;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, RenderTuning> Resolved = new(StringComparer.Ordinal);
    private static RenderTuning? _latest;

    /// <summary>The micro-batch sizes measured for any batch: the whole batch (null), then these where smaller than the batch.</summary>
    public static IReadOnlyList<int> MicroBatchCandidates { get; } = [1, 2, 4];

    /// <summary>The tuning most recently resolved in this process (null before the first batched CPU render that measures or reads one).</summary>
    public static RenderTuning? Latest => _latest;

    /// <summary>
    /// The measurement's budget for a render of <paramref name="steps"/> steps whose whole batch's first pass took
    /// <paramref name="firstPassMilliseconds"/>: <see cref="BudgetShareOfRender"/> of the render's expected time, at least
    /// <see cref="BudgetMilliseconds"/> and at most <see cref="MaxBudgetMilliseconds"/>. On a busy machine, where
    /// three rounds do not fit in the least budget, a long render still measures at a small share of its own time.
    /// </summary>
    /// <param name="steps">The render's steps.</param>
    /// <param name="firstPassMilliseconds">The whole batch's warm-up pass.</param>
    /// <returns>The budget in milliseconds.</returns>
    public static double BudgetFor(int steps, double firstPassMilliseconds) =>
        double.IsFinite(firstPassMilliseconds) && firstPassMilliseconds > 0
            ? Math.Clamp(BudgetShareOfRender * Math.Max(steps, 1) * firstPassMilliseconds, BudgetMilliseconds, MaxBudgetMilliseconds)
            : BudgetMilliseconds;

    /// <summary>The candidates for a batch: the whole batch (null), then 1, 2 and 4 where smaller than the batch.</summary>
    /// <param name="batch">The images per step.</param>
    /// <returns>The candidates, whole batch first.</returns>
    public static IReadOnlyList<int?> CandidatesFor(int batch) => [null, .. MicroBatchCandidates.Where(c => c < batch).Select(c => (int?)c)];

    /// <summary>
    /// How many of the batch's first images a candidate is timed on: all of them for the whole batch and for a size that
    /// does not divide the batch (a render of 10 images 4 at a time runs 4, 4 and 2: the short last slice costs more per
    /// image, and timing 4 images alone ranked that size 7% too fast, session 8), else <see cref="TimedImages"/> rounded
    /// up to whole micro-batches, at most the batch.
    /// </summary>
    /// <param name="candidate">The candidate; null for the whole batch.</param>
    /// <param name="batch">The images per step.</param>
    /// <returns>The image count.</returns>
    public static int ImagesTimed(int? candidate, int batch) =>
        candidate is { } size && batch % size == 0 ? Math.Min(batch, (TimedImages + size - 1) / size * size) : batch;

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
        null or "" or "AUTO" or "1" or "ON" => TuningMode.Auto,
        "REMEASURE" => TuningMode.Remeasure,
        "0" or "OFF" or "FALSE" => TuningMode.Off,
        _ => throw new NativeRuntimeException(
            $"{ModeVariable}='{text}' is not a tuning mode. Use auto (the default), off or remeasure; see docs/performance.md."),
    };

    /// <summary>
    /// The micro-batch size for a workload in this process: the one resolved earlier in this process (so that every
    /// render of a workload in one process uses the same setting and gives the same images), else the cached one,
    /// else a measurement through <paramref name="measure"/> (which runs only when needed).
    /// </summary>
    /// <param name="verdict">The kernel verdict.</param>
    /// <param name="location">Where to cache, or null when there is no per-machine key (the kernel check is off).</param>
    /// <param name="workload">The workload.</param>
    /// <param name="measure">Measures the candidates: their samples and the milliseconds it took.</param>
    /// <returns>The tuning.</returns>
    /// <exception cref="NativeRuntimeException"><c>LUCENT_NET_TUNING</c> has an unknown value.</exception>
    public static RenderTuning ForWorkload(
        KernelVerdict verdict,
        TuningLocation? location,
        TuningWorkload workload,
        Func<IReadOnlyList<int?>, (List<TuningSamples> Samples, double Milliseconds)> measure)
    {
        var mode = ParseMode(Environment.GetEnvironmentVariable(ModeVariable));
        string key = string.Create(CultureInfo.InvariantCulture, $"{verdict.Configuration}|{location?.Key}|{location?.Threads}|{workload.Hash}");
        lock (Gate)
        {
            if (!Resolved.TryGetValue(key, out var tuning))
            {
                tuning = Resolve(mode, verdict, location, workload, measure, LoadPerCore);
                Resolved[key] = tuning;
            }

            _latest = tuning;
            return tuning;
        }
    }

    /// <summary>Forgets the choices made in this process, so that the next render of each workload reads the cache or measures again (for the benchmarks).</summary>
    public static void ForgetProcessChoices()
    {
        lock (Gate)
        {
            Resolved.Clear();
        }
    }

    /// <summary>Resolves the tuning of a workload (tests inject the measurement).</summary>
    /// <param name="mode">Automatic, re-measure or off.</param>
    /// <param name="verdict">The kernel verdict.</param>
    /// <param name="location">Where to cache, or null.</param>
    /// <param name="workload">The workload.</param>
    /// <param name="measure">Measures the candidates: their samples and the milliseconds it took.</param>
    /// <param name="loadPerCore">
    /// The machine's 1-minute load average per core (null: unknown, taken as quiet), read before measuring (busy: the rule
    /// of thumb, not measured; <see cref="TuningMode.Remeasure"/> measures anyway) and after (busy: the choice is this
    /// process's only, not cached).
    /// </param>
    /// <returns>The tuning.</returns>
    public static RenderTuning Resolve(
        TuningMode mode,
        KernelVerdict verdict,
        TuningLocation? location,
        TuningWorkload workload,
        Func<IReadOnlyList<int?>, (List<TuningSamples> Samples, double Milliseconds)> measure,
        Func<double?>? loadPerCore = null)
    {
        var kernels = verdict.Configuration;
        int? rule = RuleOfThumb(kernels);
        if (mode == TuningMode.Off || location is null || !verdict.Checked || !verdict.Float32Correct)
        {
            string why = mode == TuningMode.Off ? $"{ModeVariable}=off"
                : !verdict.Checked || location is null ? "the kernel check is off"
                : "the kernels are wrong here";
            return new RenderTuning(rule, RenderTuningSource.RuleOfThumb, kernels, [], 0,
                $"{Setting(rule)} (not measured: {why}; the rule of thumb for {KernelSelector.Describe(kernels)})")
            { Workload = workload.Stored };
        }

        if (mode == TuningMode.Auto && ReadCache(location, kernels, workload) is { } cached)
        {
            return Describe(cached, RenderTuningSource.Cached);
        }

        if (mode == TuningMode.Auto && loadPerCore?.Invoke() is double before && before > BusyLoadPerCore)
        {
            // An oversubscribed machine: its timings would rank the sizes by their waits at the threads' barriers.
            return new RenderTuning(rule, RenderTuningSource.RuleOfThumb, kernels, [], 0,
                string.Create(CultureInfo.InvariantCulture,
                    $"{Setting(rule)} (not measured: the machine is busy, load {before:F1} per core; the rule of thumb for {KernelSelector.Describe(kernels)}; measured again by the next process)"))
            { Workload = workload.Stored };
        }

        var (samples, milliseconds) = measure(CandidatesFor(workload.Batch));
        if (!TuningDecision.Conclusive(samples, rule))
        {
            // Too busy to finish the repetitions within the budget: nothing is cached, the next process measures again.
            var timings = samples.Select(c => new RenderTuningTiming(c.MicroBatchSize, TuningDecision.Median(c.Samples), c.Samples.Count, c.Correct)).ToList();
            return new RenderTuning(rule, RenderTuningSource.RuleOfThumb, kernels, timings, milliseconds,
                string.Create(CultureInfo.InvariantCulture,
                    $"{Setting(rule)} (not measured: the candidates did not finish {TuningDecision.MinRepetitions} repetitions within the budget, {milliseconds:F0} ms spent (a busy machine or a large batch?); the rule of thumb for {KernelSelector.Describe(kernels)}; measured again by the next process)"))
            { Workload = workload.Stored };
        }

        var (choice, _) = TuningDecision.Decide(samples, rule);
        var entry = new TuningCacheEntry
        {
            Key = location.Key,
            Workload = workload.Stored,
            Batch = workload.Batch,
            Cpu = location.Cpu,
            LibTorch = location.LibTorch,
            Threads = location.Threads,
            Kernels = kernels,
            Allocator = location.Allocator,
            Candidates = [.. samples.Select(s => new TuningCandidateRecord { MicroBatchSize = s.MicroBatchSize, Samples = [.. s.Samples.Take(MaxRounds)], Correct = s.Correct })],
            Chosen = choice,
            MeasurementMilliseconds = double.IsFinite(milliseconds) && milliseconds >= 0 ? milliseconds : 0,
        };
        if (loadPerCore?.Invoke() is double load && load > BusyLoadPerCore)
        {
            // Timings on an oversubscribed machine rank the candidates by how they suffer from the other work (fewer,
            // larger operations wait less at the threads' barriers): good for this process, not for the machine.
            var busy = Describe(entry, RenderTuningSource.Measured);
            return busy with
            {
                Description = busy.Description[..^1] + string.Create(CultureInfo.InvariantCulture, $"; under load {load:F1} per core, so for this process only, not cached)"),
            };
        }

        if (entry.Problem(location, kernels, workload) is null)
        {
            WriteCache(location, workload, entry);
        }

        return Describe(entry, RenderTuningSource.Measured);
    }

    /// <summary>The 1-minute load average per core from <c>/proc/loadavg</c>; null where it cannot be read (not Linux).</summary>
    /// <returns>The load per core, or null.</returns>
    public static double? LoadPerCore()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            int end = text.IndexOf(' ', StringComparison.Ordinal);
            return end > 0 && double.TryParse(text.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out double load) && double.IsFinite(load) && load >= 0
                ? load / Math.Max(Environment.ProcessorCount, 1)
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// The cache file for a key and workload under a root: beside the kernel verdict's folder
    /// (<c>lucent-net/kernel-check</c>), named by the verdict's key and the workload's hash.
    /// </summary>
    /// <param name="root">The cache root.</param>
    /// <param name="key">The kernel verdict's key.</param>
    /// <param name="workload">The workload.</param>
    /// <returns>The path.</returns>
    public static string CachePath(string root, string key, TuningWorkload workload) =>
        Path.Combine(root, "lucent-net", "render-tuning", key + "-" + workload.Hash + ".json");

    /// <summary>
    /// Reads the tuning from the first root that holds a usable one: a regular file (no link, FIFO or device) of at
    /// most 64 KiB counted as read, that parses and passes <see cref="TuningCacheEntry.Problem"/>.
    /// </summary>
    /// <param name="location">The key, roots and identity.</param>
    /// <param name="kernels">The kernels in use.</param>
    /// <param name="workload">The workload.</param>
    /// <returns>The entry, or null when none may be used.</returns>
    public static TuningCacheEntry? ReadCache(TuningLocation location, KernelConfiguration kernels, TuningWorkload workload) =>
        CacheFiles.ReadFirstUsable<TuningCacheEntry>(location.Roots, root => CachePath(root, location.Key, workload), MaxCacheFileBytes, JsonOptions,
            entry => entry.Problem(location, kernels, workload) is null);

    /// <summary>Writes the entry to the first root that accepts it: a new temporary file, flushed, then renamed over the old one.</summary>
    /// <param name="location">The key and roots.</param>
    /// <param name="workload">The workload.</param>
    /// <param name="entry">The entry.</param>
    public static void WriteCache(TuningLocation location, TuningWorkload workload, TuningCacheEntry entry) =>
        CacheFiles.WriteFirstRoot(location.Roots, root => CachePath(root, location.Key, workload), JsonSerializer.SerializeToUtf8Bytes(entry, JsonOptions));

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
        text.Append(Setting(entry.Chosen)).Append(" (measured on the render's first step, ms per image:");
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
        return new RenderTuning(entry.Chosen, source, entry.Kernels, timings, entry.MeasurementMilliseconds, text.ToString()) { Workload = entry.Workload };
    }
}
