using Lucent.Net.Devices;
using Lucent.Net.Expressions;
using System.Globalization;
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

        AtLeast(failures, $"{p}:Steps", options.Steps, 1);
        AtLeast(failures, $"{p}:ImageSize", options.ImageSize, 1);
        AtLeast(failures, $"{p}:BatchSize", options.BatchSize, 1);
        AtLeast(failures, $"{p}:ProgressLogInterval", options.ProgressLogInterval, 0);
        if (options.ModelInputSize is int input)
        {
            AtLeast(failures, $"{p}:ModelInputSize", input, 1);
        }

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

        if (!(options.LearningRate > 0) || !double.IsFinite(options.LearningRate))
        {
            failures.Add(Invariant($"{p}:LearningRate must be a positive finite number (got {options.LearningRate})."));
        }

        if (options.Thresholds is { Count: > 0 } thresholds)
        {
            for (int i = 0; i < thresholds.Count; i++)
            {
                if (thresholds[i] < 1)
                {
                    failures.Add(Invariant($"{p}:Thresholds:{i} must be >= 1 (got {thresholds[i]})."));
                }
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

    private static void AtLeast(List<string> failures, string key, int value, int minimum)
    {
        if (value < minimum)
        {
            failures.Add(Invariant($"{key} must be >= {minimum} (got {value})."));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
