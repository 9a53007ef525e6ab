using Lucent.Net.Tool.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lucent.Net.Imaging;

namespace Lucent.Net.Tool.Gallery;

/// <summary>The options of a gallery: everything that decides its images. Their hash names the plan.</summary>
internal sealed record GalleryOptions
{
    public required string Model { get; init; }

    /// <summary>The layers, resolved (never "all"), in plan order.</summary>
    public required IReadOnlyList<string> Layers { get; init; }

    /// <summary>The channel selection as given: <c>all</c>, or ranges such as <c>0-63</c> or <c>0-3,10</c>.</summary>
    public required string Channels { get; init; }

    public required IReadOnlyList<int> Thresholds { get; init; }

    public required int Size { get; init; }

    /// <summary>The size the model sees (n x n); null for Lucent's rule (upsample to 224 when smaller).</summary>
    public int? InputSize { get; init; }

    public required int Batch { get; init; }

    public required long Seed { get; init; }

    public required bool Transforms { get; init; }

    [JsonIgnore]
    public int Steps => Thresholds[^1];

    /// <summary>SHA-256 (hex, first 16 bytes) of the options' canonical JSON.</summary>
    public string Hash()
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, GalleryJson.Options)));
        return Convert.ToHexStringLower(digest.AsSpan(0, 16));
    }

    /// <summary>Names of the options that differ from <paramref name="other"/>'s.</summary>
    public IReadOnlyList<string> Differences(GalleryOptions other)
    {
        var names = new List<string>();
        void Check(string name, bool same)
        {
            if (!same)
            {
                names.Add(name);
            }
        }

        Check("model", Model == other.Model);
        Check("layers", Layers.SequenceEqual(other.Layers));
        Check("channels", Channels == other.Channels);
        Check("thresholds/steps", Thresholds.SequenceEqual(other.Thresholds));
        Check("size", Size == other.Size);
        Check("input-size", InputSize == other.InputSize);
        Check("batch", Batch == other.Batch);
        Check("seed", Seed == other.Seed);
        Check("transforms", Transforms == other.Transforms);
        return names;
    }
}

/// <summary>A layer of the plan: its folder name under <c>layers/</c> and its channel count in the model.</summary>
internal sealed record GalleryLayer(string Name, string Folder, int ModelChannels, IReadOnlyList<int> Channels);

/// <summary>A work unit: one layer and a fixed block of channels, rendered as one batch with its own seed.</summary>
internal sealed record GalleryUnit(string Id, string Layer, string Folder, IReadOnlyList<int> Channels, long Seed);

/// <summary>The contents of <c>DIR/gallery.json</c>.</summary>
internal sealed record GalleryPlan
{
    public const string FileName = "gallery.json";
    public const string CurrentFormat = "lucent-gallery/1";

    public string Format { get; init; } = CurrentFormat;

    public required string OptionsHash { get; init; }

    public required GalleryOptions Options { get; init; }

    public required IReadOnlyList<GalleryLayer> Layers { get; init; }

    public required IReadOnlyList<GalleryUnit> Units { get; init; }

    [JsonIgnore]
    public long ImageSteps => Units.Sum(u => (long)u.Channels.Count) * Options.Steps;

    /// <summary>Builds the plan: units are the layers in order, each cut into blocks of <c>Batch</c> channels.</summary>
    /// <param name="options">The options.</param>
    /// <param name="modelChannels">Each planned layer's channel count in the model.</param>
    public static GalleryPlan Create(GalleryOptions options, IReadOnlyDictionary<string, int> modelChannels)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(modelChannels);
        string hash = options.Hash();
        var layers = new List<GalleryLayer>();
        var units = new List<GalleryUnit>();
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (string layer in options.Layers)
        {
            int count = modelChannels[layer];
            IReadOnlyList<int> channels = ChannelSelection.Parse(options.Channels, count, layer);
            string folder = FolderName(layer);
            if (!folders.Add(folder))
            {
                throw new ToolException($"Layers map to the same folder '{folder}': plan them in separate galleries.");
            }

            layers.Add(new GalleryLayer(layer, folder, count, channels));
            for (int start = 0; start < channels.Count; start += options.Batch)
            {
                int[] block = channels.Skip(start).Take(options.Batch).ToArray();
                string id = string.Create(CultureInfo.InvariantCulture, $"{folder}-{block[0]:D4}-{block[^1]:D4}");
                units.Add(new GalleryUnit(id, layer, folder, block, UnitSeed(options.Seed, id)));
            }
        }

        return new GalleryPlan { OptionsHash = hash, Options = options, Layers = layers, Units = units };
    }

    /// <summary>A unit's seed: a pure function of the plan's seed and the unit's id (SHA-256, 63 bits).</summary>
    public static long UnitSeed(long planSeed, string unitId)
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{planSeed}/{unitId}")));
        return (long)(BitConverter.ToUInt64(digest, 0) & long.MaxValue);
    }

    /// <summary>A file-system-safe folder name for a layer.</summary>
    public static string FolderName(string layer)
    {
        var builder = new StringBuilder(layer.Length);
        foreach (char c in layer)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>The units of shard <paramref name="shard"/>: unit k belongs to shard k mod N.</summary>
    public IReadOnlyList<GalleryUnit> UnitsOf(ShardSpec shard) =>
        Units.Where((_, k) => k % shard.Count == shard.Index).ToArray();

    public string ToJson() => JsonSerializer.Serialize(this, GalleryJson.Indented) + "\n";

    public void Save(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), ToJson());

    /// <summary>Reads <c>DIR/gallery.json</c> and checks that its hash matches its options.</summary>
    /// <exception cref="ToolException">There is no plan, it cannot be read, or it was edited.</exception>
    public static GalleryPlan Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new ToolException($"'{Path.GetFullPath(directory)}' holds no gallery plan ({FileName}): make one with 'lucent gallery plan <model> --out {directory}'.");
        }

        GalleryPlan? plan;
        try
        {
            plan = JsonSerializer.Deserialize<GalleryPlan>(File.ReadAllText(path), GalleryJson.Indented);
        }
        catch (JsonException e)
        {
            throw new ToolException($"'{path}' is not a gallery plan: {e.Message}", e);
        }

        if (plan is null || plan.Format != CurrentFormat)
        {
            throw new ToolException($"'{path}' is not a {CurrentFormat} gallery plan.");
        }

        string actual = plan.Options.Hash();
        if (actual != plan.OptionsHash)
        {
            throw new GalleryConflictException($"'{path}' says its options hash is {plan.OptionsHash} but its options hash to {actual}: the plan was edited; make a new plan in a new folder.");
        }

        return plan;
    }
}

/// <summary>JSON settings of every file the gallery writes: camelCase, invariant, stable order.</summary>
internal static class GalleryJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };
}

/// <summary>Parses channel selections: <c>all</c>, <c>7</c>, <c>0-63</c>, <c>0-3,10,12-13</c>.</summary>
internal static class ChannelSelection
{
    public static IReadOnlyList<int> Parse(string text, int channelCount, string layer)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return Enumerable.Range(0, channelCount).ToArray();
        }

        var result = new SortedSet<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2
                || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || last < first)
            {
                throw new ToolException($"--channels: '{part}' is not a channel or a range such as 0-63 (use 'all', '7', '0-63' or '0-3,10').");
            }

            if (last >= channelCount)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--channels: layer '{layer}' has {channelCount} channels (0-{channelCount - 1}); '{part}' is out of range."));
            }

            for (int c = first; c <= last; c++)
            {
                result.Add(c);
            }
        }

        if (result.Count == 0)
        {
            throw new ToolException("--channels selects no channel.");
        }

        return result.ToArray();
    }
}
