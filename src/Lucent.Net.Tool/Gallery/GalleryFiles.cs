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

    public static string LayerDirectory(string dir, string folder) => Path.Combine(dir, LayersFolder, folder);

    public static string DoneMarker(string dir, string unitId) => Path.Combine(dir, DoneFolder, unitId + ".json");

    /// <summary>
    /// Removes DIR/.staging if it is empty, at the end of a run. rmdir(2) removes only an empty folder, atomically, so a
    /// folder in which another worker is staging a unit (or a killed worker left one) stays; a worker that stages a unit
    /// after this creates the folder again (<see cref="CreateStagingFolder"/>).
    /// </summary>
    /// <returns>Whether the folder is gone (removed now, or it was never there).</returns>
    public static bool RemoveStagingIfEmpty(string dir)
    {
        string root = Path.Combine(dir, StagingFolder);
        try
        {
            Directory.Delete(root, recursive: false);
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
    }

    /// <summary>
    /// Creates a unit's staging folder under DIR/.staging. Another worker may remove the empty DIR/.staging (end of its
    /// run) between the creation of DIR/.staging and of the unit's folder; that makes the creation fail with
    /// <see cref="DirectoryNotFoundException"/>, so it is tried again (each try that fails means another worker just
    /// removed the folder, which happens once per finished run).
    /// </summary>
    public static void CreateStagingFolder(string staging)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(staging);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 100)
            {
                // DIR/.staging was removed under us: create it again.
            }
        }
    }

    /// <summary>Reads every done marker of DIR (unreadable ones count as not done: their unit is rendered again).</summary>
    public static IReadOnlyDictionary<string, UnitRecord> ReadDone(string dir)
    {
        var records = new Dictionary<string, UnitRecord>(StringComparer.Ordinal);
        string folder = Path.Combine(dir, DoneFolder);
        if (!Directory.Exists(folder))
        {
            return records;
        }

        foreach (string file in Directory.EnumerateFiles(folder, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<UnitRecord>(File.ReadAllText(file), GalleryJson.Options) is { } record)
                {
                    records[record.Unit] = record;
                }
            }
            catch (JsonException)
            {
                // Written atomically, so this is a hand-edited or foreign file: the unit is simply rendered again.
            }
        }

        return records;
    }
}

/// <summary>The done marker of a unit, written last (after its images and JSONs are in place).</summary>
internal sealed record UnitRecord(string Unit, string OptionsHash, int Images, long ImageSteps, double Seconds, string Worker, DateTimeOffset FinishedAt);

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
    IReadOnlyList<double> Loss);

internal sealed record ChannelImage(int Step, string File);
