using System.Globalization;
using System.Text.Json;

namespace Lucent.Net.Tool.Gallery;

/// <summary>Where a gallery keeps what: the layout of DIR.</summary>
internal static class GalleryFiles
{
    public const string LayersFolder = "layers";
    public const string DoneFolder = "done";
    public const string StagingFolder = ".staging";

    public static string ChannelStem(int channel) => string.Create(CultureInfo.InvariantCulture, $"c{channel:D4}");

    /// <summary>The PNG of a channel at a threshold, relative to the layer folder.</summary>
    public static string ImageName(int channel, int step) => string.Create(CultureInfo.InvariantCulture, $"{ChannelStem(channel)}_s{step:D5}.png");

    public static string ChannelJsonName(int channel) => ChannelStem(channel) + ".json";

    /// <summary>
    /// Removes DIR/.staging if it is empty, at the end of a run. rmdir(2) removes only an empty folder, atomically, so a
    /// folder in which another worker is staging a unit (or a killed worker left one) stays; a worker that stages a unit
    /// after this creates the folder again (<see cref="StagingArea.Create"/>).
    /// </summary>
    /// <returns>Whether the folder is gone (removed now, or it was never there).</returns>
    public static bool RemoveStagingIfEmpty(string dir)
    {
        try
        {
            Directory.Delete(GalleryPaths.Inside(dir, StagingFolder), recursive: false);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            // Not empty: another worker is staging a unit, or a killed worker's folder waits for its unit's next run.
            return false;
        }
        catch (GalleryFileException)
        {
            return false; // DIR/.staging is a link: not the tool's to remove
        }
    }

    /// <summary>
    /// Reads the done markers of the plan's units (DIR/done/UNIT.json; other files there are ignored). A marker that is
    /// unreadable, too large, a link, or not a valid record of its unit counts as not done: its unit is rendered again.
    /// </summary>
    public static IReadOnlyDictionary<string, UnitRecord> ReadDone(string dir, GalleryPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var records = new Dictionary<string, UnitRecord>(StringComparer.Ordinal);
        if (!Directory.Exists(GalleryPaths.Inside(dir, DoneFolder)))
        {
            return records;
        }

        foreach (var unit in plan.Units)
        {
            if (ReadDoneMarker(dir, plan, unit) is { } record)
            {
                records[unit.Id] = record;
            }
        }

        return records;
    }

    /// <summary>The done marker of <paramref name="unit"/> if there is a valid one (any options hash), else null.</summary>
    public static UnitRecord? ReadDoneMarker(string dir, GalleryPlan plan, GalleryUnit unit)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(unit);
        try
        {
            byte[]? bytes = GalleryPaths.ReadIfPresent(dir, GalleryLimits.MaxDoneFileBytes, DoneFolder, unit.Id + ".json");
            return bytes is not null && JsonSerializer.Deserialize<UnitRecord>(bytes, GalleryJson.Reading) is { } record && record.IsValidFor(plan, unit)
                ? record
                : null;
        }
        catch (Exception e) when (e is JsonException or GalleryFileException or IOException or UnauthorizedAccessException)
        {
            // Written atomically, so this is a hand-edited or foreign file: the unit is simply rendered again.
            return null;
        }
    }

    /// <summary>
    /// Reads the channel record DIR/layers/FOLDER/cNNNN.json and checks it against the plan: its layer, channel, unit,
    /// batch index, seed, options hash and images (exactly one per threshold, each named <see cref="ImageName"/>) must
    /// be the ones the plan gives. Null when there is no record.
    /// </summary>
    /// <exception cref="GalleryFileException">The record is unreadable or invalid; the message says why.</exception>
    public static ChannelRecord? ReadChannel(string dir, GalleryPlan plan, GalleryLayer layer, GalleryUnit unit, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(unit);
        int channel = unit.Channels[batchIndex];
        string name = GalleryKinds.JsonName(channel, unit.Kind);
        ChannelRecord? record;
        try
        {
            byte[]? bytes = GalleryPaths.ReadIfPresent(dir, GalleryLimits.MaxChannelFileBytes, LayersFolder, layer.Folder, name);
            if (bytes is null)
            {
                return null;
            }

            record = JsonSerializer.Deserialize<ChannelRecord>(bytes, GalleryJson.Reading);
        }
        catch (JsonException e)
        {
            throw new GalleryFileException($"{LayersFolder}/{layer.Folder}/{name} is not a channel record: {GalleryPaths.Describe(e.Message)}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GalleryFileException($"{LayersFolder}/{layer.Folder}/{name} cannot be read: {GalleryPaths.Describe(e.Message)}", e);
        }

        string? problem = record is null ? "it is null" : record.Problem(plan, layer, unit, batchIndex);
        return problem is null
            ? record
            : throw new GalleryFileException($"{LayersFolder}/{layer.Folder}/{name} is not this plan's record of channel {channel}: {problem}.");
    }
}

/// <summary>The done marker of a unit, written last (after its images and JSONs are in place).</summary>
internal sealed record UnitRecord(string Unit, string OptionsHash, int Images, long ImageSteps, double Seconds, string Worker, DateTimeOffset FinishedAt)
{
    /// <summary>The longest worker description kept (host, process and shard).</summary>
    public const int MaxWorkerLength = 1024;

    /// <summary>Whether this is a well-formed marker of <paramref name="unit"/> (its options hash may be another plan's).</summary>
    public bool IsValidFor(GalleryPlan plan, GalleryUnit unit)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(unit);
        return Unit == unit.Id
            && OptionsHash is { Length: 32 } && OptionsHash.All(char.IsAsciiHexDigitLower)
            && Images == (unit.IsExamples ? unit.ImageCount : GalleryKinds.UnitImages(plan.Options, unit))
            && ImageSteps == GalleryKinds.ImageSteps(plan.Options, unit)
            && double.IsFinite(Seconds) && Seconds >= 0 && Seconds <= GalleryLimits.MaxUnitSeconds
            && Worker is { Length: <= MaxWorkerLength };
    }
}

/// <summary>The JSON written next to each channel's images.</summary>
internal sealed record ChannelRecord(
    string Layer,
    int Channel,
    string Unit,
    int BatchIndex,
    long Seed,
    string OptionsHash,
    IReadOnlyList<ChannelImage> Images,
    double ObjectiveBefore,
    double ObjectiveAfter,
    IReadOnlyList<double> Loss,
    string? Kind = null)
{
    /// <summary>The kind of render (<see cref="GalleryKinds.Channel"/> in records written before kinds existed).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string RenderKind => Kind ?? GalleryKinds.Channel;

    /// <summary>
    /// What makes this record not the plan's record of channel <paramref name="batchIndex"/> of <paramref name="unit"/>
    /// (of <paramref name="layer"/>); null when it is.
    /// </summary>
    public string? Problem(GalleryPlan plan, GalleryLayer layer, GalleryUnit unit, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(unit);
        int channel = unit.Channels[batchIndex];
        var thresholds = plan.Options.Thresholds;
        if (Layer != layer.Name || Channel != channel)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it names layer '{GalleryPaths.Describe(Layer)}' channel {Channel}");
        }

        if (Unit != unit.Id || BatchIndex != batchIndex || Seed != unit.Seed)
        {
            return $"its unit, batch index or seed are not the plan's (unit '{GalleryPaths.Describe(Unit)}')";
        }

        if (OptionsHash != plan.OptionsHash)
        {
            return $"it was rendered with options {GalleryPaths.Describe(OptionsHash)}, not the plan's {plan.OptionsHash}";
        }

        if (RenderKind != unit.Kind)
        {
            return $"it is a render of kind '{GalleryPaths.Describe(Kind)}', not '{unit.Kind}'";
        }

        int perThreshold = GalleryKinds.ImagesPerThreshold(plan.Options, unit.Kind);
        if (Images is null || Images.Count != thresholds.Count * perThreshold)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it lists {Images?.Count.ToString(CultureInfo.InvariantCulture) ?? "no"} images, not {perThreshold} per threshold ({thresholds.Count})");
        }

        for (int i = 0; i < Images.Count; i++)
        {
            int step = thresholds[i / perThreshold];
            string expected = GalleryKinds.ImageName(channel, unit.Kind, step, i % perThreshold);
            if (Images[i] is not { } image || image.Step != step || image.File != expected)
            {
                return string.Create(CultureInfo.InvariantCulture, $"image {i} is not {expected} at step {step}");
            }
        }

        if (Loss is null || Loss.Count is 0 || Loss.Count > plan.Options.Steps)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its loss must hold 1 to {plan.Options.Steps} values");
        }

        return null;
    }
}

internal sealed record ChannelImage(int Step, string File);
