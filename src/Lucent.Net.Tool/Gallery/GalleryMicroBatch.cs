using System.Globalization;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Lucent.Net.Tool.CommandLine;
using static TorchSharp.torch;

namespace Lucent.Net.Tool.Gallery;

/// <summary>
/// The micro-batch size of a gallery's batched unit renders (docs/scale-out.md, "Byte-identical images"): pinned in the
/// plan, because the size a worker would measure for itself depends on its CPU and load, and the size changes images at
/// float-rounding level. <c>gallery plan</c> pins <see cref="Default"/> (at most the batch), so that the same options
/// always make the same plan; <c>--micro-batch auto</c> measures it on the planning machine instead (a 1-step render of
/// the first unit, the renderer's own measurement), <c>whole</c> or a number sets it. Every worker uses the plan's value.
/// </summary>
internal static class GalleryMicroBatch
{
    /// <summary>
    /// The micro-batch size pinned when <c>--micro-batch</c> is not given: 4 images per pass, the fastest or within 1% of
    /// it on the AMD Zen 5 measured (docs/performance.md), and on the Zen 3 of issue 22 one image per pass beat the whole
    /// batch by 25%; on Intel with AMX the whole batch was faster (session 1), so plan with <c>--micro-batch auto</c> there.
    /// </summary>
    public const int Default = 4;

    /// <summary>The <c>--micro-batch</c> value that measures on the planning machine.</summary>
    public const string Auto = "auto";

    /// <summary>The <c>--micro-batch</c> value for the whole batch per pass.</summary>
    public const string Whole = "whole";

    /// <summary>
    /// The value to pin: <see cref="Default"/> (at most the batch) when not given, <c>whole</c> (the batch), a number
    /// from 1 to the batch, or <c>auto</c>: the existing plan's value when the folder holds one with a pinned value
    /// (re-planning does not measure again, so it cannot disagree with itself), else measured here.
    /// </summary>
    /// <param name="text">The option's text.</param>
    /// <param name="options">The plan's options (without a micro-batch).</param>
    /// <param name="available">The model's layers and channel counts.</param>
    /// <param name="model">The model, loaded on the CPU.</param>
    /// <param name="existing">The options of a plan already in the folder, or null.</param>
    /// <param name="cancellationToken">Stops the measurement.</param>
    /// <returns>The micro-batch size and how it was chosen, in words.</returns>
    /// <exception cref="ToolException">The text is not auto, whole or a number from 1 to the batch.</exception>
    public static (int MicroBatch, string How) Choose(string? text, GalleryOptions options, IReadOnlyDictionary<string, int> available, nn.Module<Tensor, Tensor> model, GalleryOptions? existing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        string value = (text ?? string.Empty).Trim();
        if (value.Length == 0)
        {
            return (Math.Min(Default, options.Batch), "the default (--micro-batch auto measures it on this machine)");
        }

        if (value.Equals(Whole, StringComparison.OrdinalIgnoreCase))
        {
            return (options.Batch, "--micro-batch whole");
        }

        if (!value.Equals(Auto, StringComparison.OrdinalIgnoreCase))
        {
            return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size >= 1 && size <= options.Batch
                ? (size, "--micro-batch " + value)
                : throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--micro-batch must be auto, whole or a number from 1 to --batch ({options.Batch}); got '{value}'."));
        }

        if (existing?.MicroBatch is int pinned)
        {
            return (pinned, "the existing plan's");
        }

        return Measure(options, available, model, cancellationToken);
    }

    /// <summary>The micro-batch size a unit render uses: the plan's, or for a plan made before it was pinned the rule of thumb by the kernels in use.</summary>
    /// <param name="options">The plan's options.</param>
    /// <returns>The size for <see cref="RenderOptions.MicroBatchSize"/>.</returns>
    public static int ForUnits(GalleryOptions options) =>
        options.MicroBatch ?? (LucentRuntime.Kernels?.Configuration == KernelConfiguration.NativeKernels ? 1 : options.Batch);

    /// <summary>The setting in words, for a worker's summary line.</summary>
    /// <param name="options">The plan's options.</param>
    /// <returns>E.g. <c>micro-batch 2 (pinned by the plan)</c>.</returns>
    public static string Describe(GalleryOptions options)
    {
        int size = ForUnits(options);
        string setting = size >= options.Batch ? "whole batch" : "micro-batch " + size.ToString(CultureInfo.InvariantCulture);
        return setting + (options.MicroBatch is null ? " (the rule of thumb: a plan made before the micro-batch was pinned)" : " (pinned by the plan)");
    }

    /// <summary>A 1-step render of the plan's first render unit with the micro-batch size left to the renderer, which measures it (or reads this machine's cache).</summary>
    private static (int MicroBatch, string How) Measure(GalleryOptions options, IReadOnlyDictionary<string, int> available, nn.Module<Tensor, Tensor> model, CancellationToken cancellationToken)
    {
        var plan = GalleryPlan.Create(options, available);
        if (plan.Units.FirstOrDefault(u => !u.IsExamples && u.Kind != GalleryKinds.Diversity) is not { Channels.Count: > 1 } unit)
        {
            return (options.Batch, "whole batch (no batched unit to measure)");
        }

        var objectives = unit.Channels.Select((channel, i) => GalleryKinds.Objective(unit.Kind, unit.Layer, channel, i)).ToList();
        // Left unset, the renderer measures the micro-batch size (or reads this machine's cache).
        var renderOptions = options.UnitRenderOptions(unit.Seed) with { Thresholds = [1], MicroBatchSize = null };
        var tuning = Renderer.RenderBatch(model, objectives, renderOptions, progress: null, cancellationToken).MicroBatchTuning;
        int size = tuning?.MicroBatchFor(unit.Channels.Count) ?? options.Batch;
        return (size >= unit.Channels.Count ? options.Batch : size, "measured here: " + (tuning?.Description ?? "not measured"));
    }
}
