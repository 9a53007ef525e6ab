using System.Globalization;
using Lucent.Net.Devices;
using Lucent.Net.Expressions;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Transforms;
using Microsoft.Extensions.Options;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// Validates <see cref="LucentOptions"/> at startup; every failure names the configuration key,
/// e.g. <c>Lucent:ImageSize must be &gt;= 1 (got 0)</c>. Configured pipelines are built to check their
/// transform names and arguments.
/// </summary>
internal sealed class LucentOptionsValidator(
    ITransformRegistry transforms,
    IEnumerable<TransformPipelineRegistration> codePipelines) : IValidateOptions<LucentOptions>
{
    public ValidateOptionsResult Validate(string? name, LucentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(options.BindingErrors);
        string p = options.SectionPath;

        ValidateRender(failures, p, options.Render, options.FixedImageSizeKey);
        AtLeast(failures, $"{p}:ProgressLogInterval", options.ProgressLogInterval, 0);
        if (options.Device is { } device)
        {
            try
            {
                TorchDevices.Parse(device);
            }
            catch (Exception ex) when (ex is ArgumentException or DeviceUnavailableException)
            {
                failures.Add($"{p}:Device: {ex.Message}");
            }
        }

        var code = new Dictionary<string, TransformPipelineRegistration>(StringComparer.OrdinalIgnoreCase);
        foreach (var registration in codePipelines)
        {
            code[registration.Name] = registration;
        }

        var names = TransformPipelineProvider.NamesOf(code.Keys, options);
        if (string.IsNullOrWhiteSpace(options.DefaultPipeline))
        {
            failures.Add($"{p}:DefaultPipeline must name a transform pipeline (registered: {string.Join(", ", names)}).");
        }
        else if (!names.Contains(options.DefaultPipeline, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{p}:DefaultPipeline names the pipeline '{options.DefaultPipeline}', which is not registered (registered: {string.Join(", ", names)}).");
        }

        foreach (var (pipeline, specs) in options.Pipelines)
        {
            var steps = new List<IImageTransform>();
            for (int i = 0; i < specs.Count; i++)
            {
                try
                {
                    steps.Add(transforms.Create(specs[i]));
                }
                catch (Exception ex) when (ex is LucentNameNotFoundException or ExpressionException)
                {
                    string where = specs[i].Path is null ? Invariant($"{p}:Pipelines:{pipeline}:{i}: ") : string.Empty;
                    failures.Add(where + ex.Message);
                }
            }

            if (steps.Count == specs.Count && options.Render?.Parameterization is ImageOptions image && image.Width is >= 1 and <= RenderOptions.MaxImageSize && image.EffectiveHeight is >= 1 and <= RenderOptions.MaxImageSize)
            {
                var (height, width) = TransformPipeline.LargestImageSize(steps, image.EffectiveHeight, image.Width);
                if (height > TransformPipeline.MaxImageSide || width > TransformPipeline.MaxImageSide)
                {
                    failures.Add(Invariant(
                        $"{p}:Pipelines:{pipeline} could make images of up to {height}x{width} pixels from the {image.EffectiveHeight}x{image.Width} image of {p}:ImageSize; at most {TransformPipeline.MaxImageSide} pixels a side. Use smaller pads, scales or resizes, or fewer of them."));
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Checks the core's render options with the configuration keys in the messages (<c>Lucent:ImageSize</c> for
    /// <see cref="ImageOptions.Width"/>), then anything else the core checks (<see cref="RenderOptions.Validate"/>).
    /// </summary>
    private static void ValidateRender(List<string> failures, string p, RenderOptions? render, string fixedImageSizeKey)
    {
        if (render is null)
        {
            failures.Add($"{p}: Render is null; leave it at its default (new RenderOptions()) or set it to render options.");
            return;
        }

        int before = failures.Count;
        if (render.Parameterization is ImageOptions image)
        {
            Within(failures, $"{p}:ImageSize", image.Width, 1, RenderOptions.MaxImageSize);
            if (image.Height is int height)
            {
                Within(failures, $"{p}:ImageSize", height, 1, RenderOptions.MaxImageSize);
            }

            Within(failures, $"{p}:BatchSize", image.Batch, 1, RenderOptions.MaxBatchSize);
            long pixels = (long)image.Width * image.EffectiveHeight * image.Batch;
            if (failures.Count == before && pixels > RenderOptions.MaxImagePixels)
            {
                failures.Add(Invariant(
                    $"{p}:ImageSize and {p}:BatchSize make {image.Batch} image(s) of {image.Width}x{image.EffectiveHeight}, {pixels} pixels in all; at most {RenderOptions.MaxImagePixels} (width x height x batch). Lower one of them."));
            }
        }

        if (render.FixedImageSize is { } size)
        {
            // Named as configured: FixedImageSize, or ModelInputSize in files written before 0.1.0.
            Within(failures, $"{p}:{fixedImageSizeKey}", Math.Min(size.Height, size.Width), 1, int.MaxValue);
            Within(failures, $"{p}:{fixedImageSizeKey}", Math.Max(size.Height, size.Width), int.MinValue, RenderOptions.MaxFixedImageSize);
        }

        if (render.MicroBatchSize is int microBatch)
        {
            AtLeast(failures, $"{p}:MicroBatchSize", microBatch, 1);
        }

        if (!(render.LearningRate > 0) || !double.IsFinite(render.LearningRate))
        {
            failures.Add(Invariant($"{p}:LearningRate must be a positive finite number (got {render.LearningRate})."));
        }

        var thresholds = render.Thresholds ?? [];
        for (int i = 0; i < thresholds.Count; i++)
        {
            if (thresholds[i] < 1)
            {
                failures.Add(Invariant($"{p}:Thresholds:{i} must be >= 1 (got {thresholds[i]})."));
            }
        }

        if (failures.Count == before)
        {
            try
            {
                render.Validate();
            }
            catch (InvalidRenderOptionsException ex)
            {
                string? key = ex.ParamName == nameof(RenderOptions.FixedImageSize) ? fixedImageSizeKey : ex.ParamName;
                failures.Add($"{p}:{key}: {ex.Message}");
            }
        }
    }

    /// <summary>Adds <c>KEY must be &gt;= min</c> or <c>KEY must be &lt;= max</c> when <paramref name="value"/> is outside.</summary>
    private static void Within(List<string> failures, string key, int value, int minimum, int maximum)
    {
        AtLeast(failures, key, value, minimum);
        if (value > maximum)
        {
            failures.Add(Invariant($"{key} must be <= {maximum} (got {value})."));
        }
    }

    private static void AtLeast(List<string> failures, string key, int value, int minimum)
    {
        if (value < minimum)
        {
            failures.Add(Invariant($"{key} must be >= {minimum} (got {value})."));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
