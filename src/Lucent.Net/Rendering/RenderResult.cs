using Lucent.Net.Runtime;
using Lucent.Net.Images;

namespace Lucent.Net.Rendering;

/// <summary>Progress of a render, reported after every optimisation step.</summary>
/// <param name="Step">The step just completed (1-based).</param>
/// <param name="TotalSteps">The number of steps the render will run.</param>
/// <param name="Loss">The objective's loss at this step (lower is better).</param>
/// <param name="Elapsed">Time since the render started.</param>
public readonly record struct RenderProgress(int Step, int TotalSteps, double Loss, TimeSpan Elapsed)
{
    /// <summary>An estimate of the time left, from the average step time so far.</summary>
    public TimeSpan EstimatedRemaining => Step <= 0 ? TimeSpan.Zero : Elapsed / Step * (TotalSteps - Step);
}

/// <summary>The images recorded at one threshold.</summary>
/// <param name="Step">The step after which they were recorded.</param>
/// <param name="Images">The images, values in [0, 1], laid out (batch, height, width, channels).</param>
/// <param name="Loss">The loss of the step that produced them.</param>
public sealed record RenderSnapshot(int Step, ImageBatch Images, double Loss);

/// <summary>Why a render ended.</summary>
public enum RenderStopReason
{
    /// <summary>Every step ran.</summary>
    Completed,

    /// <summary>The cancellation token fired; the images so far were recorded.</summary>
    Cancelled,

    /// <summary>The loss became NaN or infinite; the last images with a finite loss were recorded.</summary>
    NonFiniteLoss,
}

/// <summary>What a render produced: the images at every threshold reached, and how the loss went.</summary>
public sealed class RenderResult
{
    internal RenderResult(
        IReadOnlyList<RenderSnapshot> snapshots,
        IReadOnlyList<double> losses,
        RenderStopReason stopReason,
        string? stopMessage,
        long seed,
        TimeSpan elapsed,
        IReadOnlyList<string> warnings,
        IReadOnlyList<IReadOnlyList<double>>? imageLosses = null)
    {
        ImageLosses = imageLosses ?? [];
        Snapshots = snapshots;
        Losses = losses;
        StopReason = stopReason;
        StopMessage = stopMessage;
        Seed = seed;
        Elapsed = elapsed;
        Warnings = warnings;
    }

    /// <summary>
    /// For a batched render by <see cref="Renderer.RenderBatch"/> or <see cref="Renderer.RenderChannels"/>:
    /// each image's own loss (its objective's term of the summed loss) at every step, one list per image
    /// in order, each as long as <see cref="Losses"/>. Empty for a render of a single objective (<c>Renderer.Render</c>).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double>> ImageLosses { get; }

    /// <summary>
    /// MACO's transparency map when it was recorded (<see cref="RenderOptions.TransparencyMap"/>): for each image,
    /// the sum over steps of the absolute gradient of the loss with respect to the image, summed over colour
    /// channels and divided by its maximum, so values are in [0, 1]; laid out (batch, height, width, 1). High values
    /// mark the pixels that mattered most to the objective. <see langword="null"/> when not recorded.
    /// </summary>
    public ImageBatch? Transparency { get; internal init; }

    /// <summary>The images at each threshold reached, in order (plus the interrupted step's images when stopped early).</summary>
    public IReadOnlyList<RenderSnapshot> Snapshots { get; }

    /// <summary>The images of the last snapshot.</summary>
    /// <exception cref="InvalidOperationException">No snapshot was recorded (cancelled before the first step).</exception>
    public ImageBatch FinalImages => Snapshots.Count > 0
        ? Snapshots[^1].Images
        : throw new InvalidOperationException("The render recorded no images: it was stopped before its first step.");

    /// <summary>The loss of every completed step, in order.</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>The loss of the first step, or NaN when no step ran.</summary>
    public double InitialLoss => Losses.Count > 0 ? Losses[0] : double.NaN;

    /// <summary>The loss of the last completed step, or NaN when no step ran.</summary>
    public double FinalLoss => Losses.Count > 0 ? Losses[^1] : double.NaN;

    /// <summary>Why the render ended.</summary>
    public RenderStopReason StopReason { get; }

    /// <summary>A sentence explaining an early stop; null when completed.</summary>
    public string? StopMessage { get; }

    /// <summary>The seed the render used.</summary>
    public long Seed { get; }

    /// <summary>Wall-clock time of the render.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Warnings raised during the render (e.g. layers not computable at this size).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Images per pass through the model in this render's steps (<see cref="RenderOptions.MicroBatchSize"/>, or the
    /// measured default); the batch size when the whole batch went at once; null for a render cancelled before its
    /// first step.
    /// </summary>
    public int? MicroBatchSize { get; internal init; }

    /// <summary>
    /// The measured default (docs/performance.md, "Measured defaults") that chose <see cref="MicroBatchSize"/>: how it
    /// was decided (measured, cached or the rule of thumb), each candidate's time and the workload; null when the size
    /// was set in the options, the render was not batched, or it did not run on the CPU.
    /// </summary>
    public RenderTuning? MicroBatchTuning { get; internal init; }
}
