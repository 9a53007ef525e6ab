using Lucent.Net.Activations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// Reads <see cref="LucentOptions"/> from a configuration section. It never throws: values that
/// cannot be converted and unknown keys are recorded and reported by the validator with their key.
/// </summary>
internal sealed class LucentConfigurationReader(IConfiguration section) : IConfigureOptions<LucentOptions>
{
    private static readonly string[] KnownKeys =
    [
        nameof(LucentOptions.Steps), nameof(LucentOptions.Thresholds), nameof(LucentOptions.ImageSize), nameof(LucentOptions.BatchSize),
        nameof(LucentOptions.LearningRate), nameof(LucentOptions.Seed), nameof(LucentOptions.Fft), nameof(LucentOptions.Decorrelate), nameof(LucentOptions.Alpha),
        nameof(LucentOptions.Preprocess), nameof(LucentOptions.ModelInputSize), nameof(LucentOptions.DefaultPipeline),
        nameof(LucentOptions.ProgressLogInterval), nameof(LucentOptions.WeightsFolder), nameof(LucentOptions.Device), nameof(LucentOptions.Pipelines),
    ];

    public void Configure(LucentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string root = section is IConfigurationSection s ? s.Path : LucentOptions.SectionName;
        options.SectionPath = root;
        foreach (var child in section.GetChildren())
        {
            if (!KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                var closest = LayerNameMatcher.Closest(child.Key, KnownKeys, 3);
                options.BindingErrors.Add($"{child.Path} is not a Lucent setting (did you mean {string.Join(" or ", closest)}?). Settings: {string.Join(", ", KnownKeys)}.");
            }
        }

        ReadInt(options, "Steps", v => options.Steps = v);
        ReadInt(options, "ImageSize", v => options.ImageSize = v);
        ReadInt(options, "BatchSize", v => options.BatchSize = v);
        ReadInt(options, "ProgressLogInterval", v => options.ProgressLogInterval = v);
        ReadInt(options, "ModelInputSize", v => options.ModelInputSize = v, allowEmpty: true, onEmpty: () => options.ModelInputSize = null);
        ReadDouble(options, "LearningRate", v => options.LearningRate = v);
        ReadBool(options, "Fft", v => options.Fft = v);
        ReadBool(options, "Decorrelate", v => options.Decorrelate = v);
        ReadBool(options, "Alpha", v => options.Alpha = v);
        ReadBool(options, "Preprocess", v => options.Preprocess = v);
        Read<long>(options, "Seed", text => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null, "a whole number", v => options.Seed = v!.Value);
        if (section["DefaultPipeline"] is { } pipeline)
        {
            options.DefaultPipeline = pipeline.Trim();
        }

        if (section.GetSection("Device").Value is { } device)
        {
            options.Device = device.Trim().Length == 0 ? null : device.Trim();
        }

        if (section.GetSection("WeightsFolder").Value is { } folder)
        {
            options.WeightsFolder = folder.Length == 0 ? null : folder;
        }

        ReadThresholds(options);
        ReadPipelines(options);
    }

    private void ReadThresholds(LucentOptions options)
    {
        var thresholds = section.GetSection("Thresholds");
        var items = thresholds.GetChildren().ToList();
        IEnumerable<(string Path, string? Text)> values;
        if (items.Count > 0)
        {
            values = items.OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue).Select(c => (c.Path, c.Value));
        }
        else if (!string.IsNullOrWhiteSpace(thresholds.Value))
        {
            values = thresholds.Value.Split(',', StringSplitOptions.TrimEntries).Select(t => (thresholds.Path, (string?)t));
        }
        else
        {
            return;
        }

        var list = new List<int>();
        foreach (var (path, text) in values)
        {
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int step))
            {
                list.Add(step);
            }
            else
            {
                options.BindingErrors.Add($"{path} must be a whole number (got '{text}').");
            }
        }

        options.Thresholds = list;
    }

    private void ReadPipelines(LucentOptions options)
    {
        foreach (var pipeline in section.GetSection("Pipelines").GetChildren())
        {
            var specs = new List<TransformSpec>();
            var steps = pipeline.GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue).ToList();
            if (steps.Count == 0 && !string.IsNullOrWhiteSpace(pipeline.Value))
            {
                options.BindingErrors.Add($"{pipeline.Path} must be a list of transform specs, e.g. [\"pad(8)\", \"jitter(4)\"] or [{{ \"Type\": \"pad\", \"Width\": 8 }}] (got '{pipeline.Value}').");
                continue;
            }

            foreach (var step in steps)
            {
                if (ReadSpec(step, options.BindingErrors) is { } spec)
                {
                    specs.Add(spec);
                }
            }

            options.Pipelines[pipeline.Key] = specs;
        }
    }

    /// <summary>
    /// Reads one step as written: the string form (a transform expression, parsed when the pipeline
    /// is built) or the object form (<c>Type</c> and arguments by key; a list argument is a JSON array,
    /// kept as its items joined by commas). Null, with the error recorded, when the object has no <c>Type</c>.
    /// </summary>
    private static TransformSpec? ReadSpec(IConfigurationSection step, List<string> errors)
    {
        if (step.Value is { } text)
        {
            return TransformSpec.FromText(text, step.Path);
        }

        string? type = null;
        var named = new List<KeyValuePair<string, string>>();
        foreach (var argument in step.GetChildren())
        {
            if (string.Equals(argument.Key, "Type", StringComparison.OrdinalIgnoreCase))
            {
                type = argument.Value;
                continue;
            }

            var items = argument.GetChildren().ToList();
            string value = items.Count > 0
                ? string.Join(",", items.OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue).Select(c => c.Value))
                : argument.Value ?? string.Empty;
            named.Add(new(argument.Key, value));
        }

        if (string.IsNullOrWhiteSpace(type))
        {
            errors.Add($"{step.Path}:Type is missing: each step of a pipeline needs a \"Type\" naming a transform (e.g. pad, jitter), or write the step as a string such as \"pad(8)\".");
            return null;
        }

        return new TransformSpec(type, named, step.Path);
    }

    private void ReadInt(LucentOptions options, string key, Action<int> set, bool allowEmpty = false, Action? onEmpty = null)
    {
        if (allowEmpty && section.GetSection(key) is { Value: { Length: 0 } } && onEmpty is not null)
        {
            onEmpty();
            return;
        }

        Read(options, key, text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : (int?)null, "a whole number", v => set(v!.Value));
    }

    private void ReadDouble(LucentOptions options, string key, Action<double> set) =>
        Read(options, key, text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : (double?)null, "a number", v => set(v!.Value));

    private void ReadBool(LucentOptions options, string key, Action<bool> set) =>
        Read(options, key, text => bool.TryParse(text, out bool v) ? v : (bool?)null, "true or false", v => set(v!.Value));

    private void Read<T>(LucentOptions options, string key, Func<string, T?> parse, string wanted, Action<T?> set)
        where T : struct
    {
        var child = section.GetSection(key);
        if (child.Value is not { } text)
        {
            if (child.GetChildren().Any())
            {
                options.BindingErrors.Add($"{child.Path} must be {wanted}, not a section or list.");
            }

            return;
        }

        if (parse(text.Trim()) is { } value)
        {
            set(value);
        }
        else
        {
            options.BindingErrors.Add($"{child.Path} must be {wanted} (got '{text}').");
        }
    }
}
