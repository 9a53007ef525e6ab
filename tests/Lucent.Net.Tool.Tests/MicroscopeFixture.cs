namespace Lucent.Net.Tool.Tests;

/// <summary>
/// The plan of issue 24's "done means" on the pretrained ResNet-18: 2 layers x 8 channels, the four kinds of render
/// (kept fast: 4 steps, 32 px) and dataset examples (k = 3) over a folder made at test time from the committed crops
/// (200 images, a valid one with a hostile name, an unreadable one with a hostile name, and the hostile files of
/// <see cref="TestImages.HostileNames"/>: 208 files), in units of 64 images.
/// Its single-process run is the reference every sharded run must equal byte for byte.
/// </summary>
public sealed class MicroscopeFixture() : PlannedGalleryFixture("lucent-microscope-tests-")
{
    /// <summary>A valid image whose name is markup: pages must show it as text.</summary>
    public const string HostileName = "odd/<img src=x onerror=alert(1)>&amp;\"q'.png";

    /// <summary>An unreadable file whose name is markup: the index lists it as text.</summary>
    public const string SkippedHostileName = "odd/<svg onload=alert(1)>.jpg";

    /// <summary>The planned layers.</summary>
    public static readonly string[] Layers = ["layer1", "layer2"];

    /// <summary>Channels 0 to <c>Channels - 1</c> of each layer.</summary>
    public const int Channels = 8;

    /// <summary>Channels per render unit (<c>--batch</c>).</summary>
    public const int Batch = 2;

    /// <summary>Every kind of render: channel, negative, neuron and diversity.</summary>
    public const int Kinds = 4;

    /// <summary>Examples kept per channel, top and bottom (<c>--examples</c>).</summary>
    public const int Examples = 3;

    /// <summary>Images per dataset unit (<c>--examples-chunk</c>).</summary>
    public const int Chunk = 64;

    /// <summary>The generated images, the valid and the unreadable file with markup names, and the hostile files.</summary>
    public const int Images = 200 + 2 + 6;

    /// <summary>2 layers x 4 kinds x 4 blocks of 2 channels = 32.</summary>
    public static int RenderUnits => Layers.Length * Kinds * (Channels / Batch);

    /// <summary>208 images in units of 64 = 4 (the last one of 16 images).</summary>
    public static int DatasetUnits => (Images + Chunk - 1) / Chunk;

    public string Dataset => Path.Combine(Root, "dataset");

    protected override IReadOnlyList<string> Options =>
    [
        "resnet18", "--layers", string.Join(',', Layers), "--channels", $"0-{Channels - 1}", "--steps", "4", "--thresholds", "2", "--size", "32", "--input-size", "32",
        "--batch", $"{Batch}", "--seed", "3", "--dataset", Dataset, "--examples", $"{Examples}", "--examples-chunk", $"{Chunk}", "--examples-size", "32",
    ];

    protected override void Prepare()
    {
        TestImages.CreateDataset(Dataset, 200);
        TestImages.AddHostile(Dataset);
        string odd = Path.Combine(Dataset, HostileName);
        Directory.CreateDirectory(Path.GetDirectoryName(odd)!);
        File.Copy(Path.Combine(TestImages.PhotosFolder, "coffee.png"), odd);
        File.WriteAllText(Path.Combine(Dataset, SkippedHostileName), "not an image");
    }

    /// <summary>Every file under <c>layers/</c> and <c>examples/</c>, relative path to bytes.</summary>
    public static SortedDictionary<string, byte[]> Outputs(string dir) => Files(dir, "layers", "examples");
}

[CollectionDefinition(Name)]
public sealed class MicroscopeCollection : ICollectionFixture<MicroscopeFixture>
{
    public const string Name = "microscope";
}
