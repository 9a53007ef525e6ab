using System.Text.Json;
using System.Text.Json.Nodes;
using Lucent.Net.Tool.Gallery;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// A gallery folder written by the test itself, without a model or a render: a plan made by
/// <see cref="GalleryPlan.Create"/>, and channel records and 1x1 PNGs as a worker writes them. Tests then edit its files
/// as an attacker with write access to a shared gallery would.
/// </summary>
internal sealed class SyntheticGallery : IDisposable
{
    /// <summary>A valid 1x1 RGBA PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private SyntheticGallery(string root, GalleryPlan plan)
    {
        Root = root;
        Plan = plan;
    }

    /// <summary>A temporary folder holding the gallery (<see cref="Dir"/>) and room beside it for a "victim".</summary>
    public string Root { get; }

    public string Dir => Path.Combine(Root, "gallery");

    public GalleryPlan Plan { get; }

    public string PlanPath => Path.Combine(Dir, GalleryPlan.FileName);

    /// <summary>Plans 4 channels of each layer in batches of 2, images at steps 2 and 4.</summary>
    public static SyntheticGallery Create(string model = "resnet18", params string[] layers)
    {
        layers = layers.Length == 0 ? ["layer1"] : layers;
        var options = new GalleryOptions
        {
            Model = model,
            Layers = layers,
            Channels = "0-3",
            Thresholds = [2, 4],
            Size = 16,
            InputSize = 16,
            Batch = 2,
            Seed = 3,
            Transforms = false,
        };
        var plan = GalleryPlan.Create(options, layers.ToDictionary(l => l, _ => 8));
        var gallery = new SyntheticGallery(Path.Combine(Path.GetTempPath(), "lucent-synthetic-" + Guid.NewGuid().ToString("N")[..8]), plan);
        Directory.CreateDirectory(gallery.Dir);
        plan.Save(gallery.Dir);
        return gallery;
    }

    /// <summary>Writes every planned channel's record and images, as a worker would.</summary>
    public void RenderAll()
    {
        foreach (var unit in Plan.Units)
        {
            for (int i = 0; i < unit.Channels.Count; i++)
            {
                WriteChannel(unit, i);
            }
        }
    }

    public void WriteChannel(GalleryUnit unit, int index)
    {
        int channel = unit.Channels[index];
        var images = Plan.Options.Thresholds.Select(step => new ChannelImage(step, GalleryFiles.ImageName(channel, step))).ToArray();
        foreach (var image in images)
        {
            File.WriteAllBytes(LayerFile(unit.Folder, image.File), Png);
        }

        var record = new ChannelRecord(unit.Layer, channel, unit.Id, index, unit.Seed, Plan.OptionsHash, images, 1.5, 2.5, [-1.5, -2.0, -2.2, -2.5]);
        File.WriteAllText(ChannelPath(unit.Folder, channel), JsonSerializer.Serialize(record, GalleryJson.Indented));
    }

    public string ChannelPath(string folder, int channel) => LayerFile(folder, GalleryFiles.ChannelJsonName(channel));

    /// <summary>A valid done marker of <paramref name="unit"/>, as JSON.</summary>
    public string DoneMarker(GalleryUnit unit) => JsonSerializer.Serialize(
        new UnitRecord(unit.Id, Plan.OptionsHash, unit.Channels.Count * Plan.Options.Thresholds.Count, (long)unit.Channels.Count * Plan.Options.Steps, 1.25, "test:1 shard 0/1", DateTimeOffset.UnixEpoch),
        GalleryJson.Indented);

    /// <summary>Edits gallery.json as JSON; with <paramref name="rehash"/> the options hash is recomputed, as an attacker would.</summary>
    public void EditPlan(Action<JsonObject> edit, bool rehash = false) => EditPlan(PlanPath, edit, rehash);

    public static void EditPlan(string path, Action<JsonObject> edit, bool rehash)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        if (rehash)
        {
            var options = json["options"].Deserialize<GalleryOptions>(GalleryJson.Options)!;
            json["optionsHash"] = options.Hash();
        }

        File.WriteAllText(path, json.ToJsonString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Temp space, cleaned later.
        }
    }

    private string LayerFile(string folder, string name)
    {
        string layer = Path.Combine(Dir, GalleryFiles.LayersFolder, folder);
        Directory.CreateDirectory(layer);
        return Path.Combine(layer, name);
    }
}
