namespace Lucent.Net.Runtime;

/// <summary>Where a <see cref="RenderTuning"/> came from.</summary>
public enum RenderTuningSource
{
    /// <summary>
    /// Not measured: the rule of thumb by the kernels in use (one image per pass with LibTorch's own kernels, the whole
    /// batch with oneDNN). Measuring was turned off (<c>LUCENT_NET_TUNING=off</c>), the kernel check is off (no
    /// per-machine key to cache under), or the measurement did not finish its repetitions within its budget (a busy
    /// machine; nothing is cached and the next process measures again).
    /// </summary>
    RuleOfThumb = 0,

    /// <summary>Measured in this process on the first step of a render of the workload, and cached for the next processes.</summary>
    Measured = 1,

    /// <summary>Read from the per-machine cache (measured by an earlier process with the same CPU, LibTorch, threads, kernels and workload).</summary>
    Cached = 2,
}

/// <summary>
/// One candidate setting as the tuning measured it: the model's forward and backward passes on a render step's
/// transformed images, in milliseconds per image (docs/performance.md, "Measured defaults").
/// </summary>
/// <param name="MicroBatchSize">The micro-batch size measured; null for the whole batch.</param>
/// <param name="MedianMilliseconds">The median over the repetitions, in milliseconds per image; NaN when it was not measured.</param>
/// <param name="Repetitions">How many interleaved repetitions the median is over.</param>
/// <param name="Correct">Whether its input gradient equalled the whole batch's (to float rounding); a candidate that does not is never chosen.</param>
public sealed record RenderTuningTiming(int? MicroBatchSize, double MedianMilliseconds, int Repetitions, bool Correct)
{
    /// <summary>The setting in words: <c>whole batch</c> or <c>micro-batch 2</c>.</summary>
    public string Setting => MicroBatchSize is { } size ? "micro-batch " + size.ToString(System.Globalization.CultureInfo.InvariantCulture) : "whole batch";
}

/// <summary>
/// The micro-batch setting measured to be fastest for a batched render's workload on this machine, used when
/// <c>RenderOptions.MicroBatchSize</c> is unset (an explicit option always wins). Measured on the first step of the
/// first render of the workload (model, layers, input shape, batch) on a machine (CPU and flags, LibTorch, thread
/// count, kernel configuration), cached beside the kernel verdict, kept for the rest of the process, and measured
/// again when any of those change (docs/performance.md, "Measured defaults").
/// </summary>
/// <param name="MicroBatchSize">How many images of a batched render go through the model per pass by default; null for the whole batch.</param>
/// <param name="Source">Measured here, read from the cache, or the rule of thumb.</param>
/// <param name="Kernels">The kernel configuration it was measured with.</param>
/// <param name="Timings">What each candidate measured (empty for the rule of thumb).</param>
/// <param name="MeasurementMilliseconds">How long the measurement took in the process that measured it (0 for the rule of thumb).</param>
/// <param name="Description">One line for logs, e.g. <c>micro-batch 2 (measured on the render's first step, ms per image: whole=31.1 1=27.5 2=23.1 4=23.0; median of 3, 2480 ms, cached)</c>.</param>
public sealed record RenderTuning(
    int? MicroBatchSize,
    RenderTuningSource Source,
    KernelConfiguration Kernels,
    IReadOnlyList<RenderTuningTiming> Timings,
    double MeasurementMilliseconds,
    string Description)
{
    /// <summary>The workload it was chosen for, in words (model type and size, layers, input shape and type).</summary>
    public string Workload { get; init; } = "";

    /// <summary>The micro-batch for a batch of <paramref name="batch"/> images: the chosen size, at most the batch.</summary>
    /// <param name="batch">The render's batch size.</param>
    /// <returns>Images per pass.</returns>
    public int MicroBatchFor(int batch) => MicroBatchSize is { } size ? Math.Min(size, batch) : batch;
}
