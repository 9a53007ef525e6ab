using System.Globalization;
using Lucent.Net.Devices;
using Lucent.Net.Expressions;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
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

        ValidateRender(failures, p, options.Render);
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
            for (int i = 0; i < specs.Count; i++)
            {
                try
                {
                    transforms.Create(specs[i]);
                }
                catch (Exception ex) when (ex is LucentNameNotFoundException or ExpressionException)
                {
                    string where = specs[i].Path is null ? Invariant($"{p}:Pipelines:{pipeline}:{i}: ") : string.Empty;
                    failures.Add(where + ex.Message);
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Checks the core's render options with the configuration keys in the messages (<c>Lucent:ImageSize</c> for
    /// <see cref="ImageOptions.Width"/>), then anything else the core checks (<see cref="RenderOptions.Validate"/>).
    /// </summary>
    private static void ValidateRender(List<string> failures, string p, RenderOptions? render)
    {
        if (render is null)
        {
            failures.Add($"{p}: Render is null; leave it at its default (new RenderOptions()) or set it to render options.");
            return;
        }

        int before = failures.Count;
        if (render.Image is { } image)
        {
            AtLeast(failures, $"{p}:ImageSize", image.Width, 1);
            if (image.Height is int height)
            {
                AtLeast(failures, $"{p}:ImageSize", height, 1);
            }

            AtLeast(failures, $"{p}:BatchSize", image.Batch, 1);
        }

        if (render.FixedImageSize is { } size)
        {
            AtLeast(failures, $"{p}:FixedImageSize", Math.Min(size.Height, size.Width), 1);
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
                failures.Add($"{p}:{ex.ParamName}: {ex.Message}");
            }
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
