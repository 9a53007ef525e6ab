using System.Globalization;
using Lucent.Net.Activations;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Transforms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// Reads <see cref="LucentOptions"/> from a configuration section. It never throws: values that
/// cannot be converted and unknown keys are recorded and reported by the validator with their key.
/// </summary>
internal sealed class LucentConfigurationReader(IConfiguration section) : IConfigureOptions<LucentOptions>
{
    /// <summary>The keys that set the core's <see cref="RenderOptions"/> (<see cref="LucentOptions.Render"/>).</summary>
    private static readonly string[] RenderKeys =
    [
        "Steps", "Thresholds", "ImageSize", "BatchSize", "LearningRate", "Seed", "Fft", "Decorrelate", "Alpha",
        "Maco", "Preprocess", "InputNormalization", "FixedImageSize", "FreezeModel", "StopForwardEarly", "MicroBatchSize",
    ];

    /// <summary>The keys of the host's own settings.</summary>
    private static readonly string[] HostKeys =
    [
        nameof(LucentOptions.DefaultPipeline), nameof(LucentOptions.ProgressLogInterval), nameof(LucentOptions.WeightsFolder),
        nameof(LucentOptions.Device), nameof(LucentOptions.Pipelines),
    ];

    /// <summary>The name <c>FixedImageSize</c> had before 0.1.0; still read (docs/configuration.md, migration).</summary>
    private const string FormerFixedImageSizeKey = "ModelInputSize";

    private static readonly string[] KnownKeys = [.. RenderKeys, .. HostKeys];

    public void Configure(LucentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string root = section is IConfigurationSection s ? s.Path : LucentOptions.SectionName;
        options.SectionPath = root;
        foreach (var child in section.GetChildren())
        {
            if (!KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase) && !string.Equals(child.Key, FormerFixedImageSizeKey, StringComparison.OrdinalIgnoreCase))
            {
                var closest = LayerNameMatcher.Closest(child.Key, KnownKeys, 3);
                options.BindingErrors.Add($"{child.Path} is not a Lucent setting (did you mean {string.Join(" or ", closest)}?). Settings: {string.Join(", ", KnownKeys)}.");
            }
        }

        options.Render = ReadRender(options, options.Render);
        ReadInt(options, "ProgressLogInterval", v => options.ProgressLogInterval = v);
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

        ReadPipelines(options);
    }

    /// <summary>The core's render options with the section's render keys applied to <paramref name="render"/>.</summary>
    private RenderOptions ReadRender(LucentOptions options, RenderOptions render)
    {
        // The image keys set the standard image; a parameterisation of another kind (set in code) wins over them, as before.
        var custom = render.Parameterization is ImageOptions ? null : render.Parameterization;
        var image = render.Parameterization as ImageOptions ?? new ImageOptions(RenderOptions.DefaultImageSize);
        // Steps alone is Thresholds = [Steps], as before (a later Thresholds set in code replaces it); with Thresholds
        // both are set, so that thresholds after the last step are reported (RenderOptions.Steps).
        var thresholds = ReadThresholds(options);
        ReadInt(options, "Steps", v =>
        {
            if (v < 1)
            {
                options.BindingErrors.Add(string.Create(CultureInfo.InvariantCulture, $"{section.GetSection("Steps").Path} must be >= 1 (got {v})."));
                return;
            }

            render = thresholds is null ? render with { Thresholds = [v] } : render with { Steps = v };
        });
        if (thresholds is not null)
        {
            render = render with { Thresholds = thresholds };
        }

        ReadInt(options, "ImageSize", v => image = image with { Width = v, Height = null });
        ReadInt(options, "BatchSize", v => image = image with { Batch = v });
        ReadBool(options, "Fft", v => image = image with { Fft = v });
        ReadBool(options, "Decorrelate", v => image = image with { Decorrelate = v });
        ReadBool(options, "Alpha", v => image = image with { Alpha = v });
        ReadBool(options, "Maco", v => image = image with { Maco = v });
        render = render with { Parameterization = custom ?? image };
        ReadDouble(options, "LearningRate", v => render = render with { LearningRate = v });
        Read<long>(options, "Seed", text => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null, "a whole number", v => render = render with { Seed = v!.Value });
        ReadBool(options, "Preprocess", v => render = render with { Preprocess = v });
        if (section.GetSection("InputNormalization") is { Value: { } normalization } normalizationSection)
        {
            if (normalization.Trim().Length == 0)
            {
                render = render with { Preprocessing = null };
            }
            else
            {
                try
                {
                    render = render with { Preprocessing = InputNormalization.Parse(normalization) };
                }
                catch (FormatException e)
                {
                    options.BindingErrors.Add($"{normalizationSection.Path}: {e.Message}");
                }
            }
        }

        ReadBool(options, "FreezeModel", v => render = render with { FreezeModel = v });
        ReadBool(options, "StopForwardEarly", v => render = render with { StopForwardEarly = v });
        ReadInt(options, "MicroBatchSize", v => render = render with { MicroBatchSize = v }, onEmpty: () => render = render with { MicroBatchSize = null });
        foreach (string key in new[] { FormerFixedImageSizeKey, "FixedImageSize" })
        {
            if (ReadSize(options, key, out var size))
            {
                render = render with { FixedImageSize = size };
                options.FixedImageSizeKey = key;
            }
        }

        return render;
    }

    /// <summary>Reads a size: a whole number (square), a list <c>[height, width]</c>, or empty (none). False when the key is absent or invalid.</summary>
    private bool ReadSize(LucentOptions options, string key, out (int Height, int Width)? size)
    {
        size = null;
        var child = section.GetSection(key);
        var items = child.GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue).ToList();
        if (items.Count > 0)
        {
            if (items.Count == 2
                && int.TryParse(items[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int h)
                && int.TryParse(items[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int w))
            {
                size = (h, w);
                return true;
            }

            options.BindingErrors.Add($"{child.Path} must be a whole number (a square size) or a list [height, width] of two whole numbers.");
            return false;
        }

        if (child.Value is not { } text)
        {
            return false;
        }

        if (text.Trim().Length == 0)
        {
            return true;
        }

        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int side))
        {
            size = (side, side);
            return true;
        }

        options.BindingErrors.Add($"{child.Path} must be a whole number (got '{text}').");
        return false;
    }

    private List<int>? ReadThresholds(LucentOptions options)
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
            return null;
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

        return list.Count > 0 ? list : null;
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

    private void ReadInt(LucentOptions options, string key, Action<int> set, Action? onEmpty = null)
    {
        if (onEmpty is not null && section.GetSection(key) is { Value: { } text } && text.Trim().Length == 0)
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
