namespace Lucent.Net.Tool.Tests;

/// <summary>
/// A small plan with every kind of work on the pretrained ResNet-18: 2 layers x 4 channels, the four kinds of render
/// (4 steps, 32 px) and dataset examples (k = 3) over a folder made at test time from the committed crops (40 images,
/// one with a hostile name, and the hostile files of <see cref="TestImages.HostileNames"/>), in units of 16 images.
/// Its single-process run is the reference every sharded run must equal byte for byte.
/// </summary>
public sealed class MicroscopeFixture : IAsyncLifetime
{
    /// <summary>A valid image whose name is markup: pages must show it as text.</summary>
    public const string HostileName = "odd/<img src=x onerror=alert(1)>&amp;\"q'.png";

    /// <summary>An unreadable file whose name is markup: the index lists it as text.</summary>
    public const string SkippedHostileName = "odd/<svg onload=alert(1)>.jpg";

    public const int Images = 40 + 2 + 6;

    /// <summary>2 layers x 4 kinds x 2 blocks of 2 channels, and 48 images in units of 16.</summary>
    public const int RenderUnits = 16;

    public const int DatasetUnits = 3;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "lucent-microscope-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public string Dataset => Path.Combine(Root, "dataset");

    public string Reference => Path.Combine(Root, "reference");

    public string ReferenceOutput { get; private set; } = string.Empty;

    public string[] PlanOptions =>
    [
        "resnet18", "--layers", "layer1,layer2", "--channels", "0-3", "--steps", "4", "--thresholds", "2", "--size", "32", "--input-size", "32",
        "--batch", "2", "--seed", "3", "--dataset", Dataset, "--examples", "3", "--examples-chunk", "16", "--examples-size", "32",
    ];

    public async Task<string> NewPlanAsync(string name)
    {
        string dir = Path.Combine(Root, name);
        var (code, output) = await ToolProcess.RunAsync(["gallery", "plan", .. PlanOptions, "--out", dir]);
        code.Should().Be(0, output);
        return dir;
    }

    public async Task InitializeAsync()
    {
        TestImages.CreateDataset(Dataset, 40);
        TestImages.AddHostile(Dataset);
        string odd = Path.Combine(Dataset, HostileName);
        Directory.CreateDirectory(Path.GetDirectoryName(odd)!);
        File.Copy(Path.Combine(TestImages.PhotosFolder, "coffee.png"), odd);
        File.WriteAllText(Path.Combine(Dataset, SkippedHostileName), "not an image");
        string dir = await NewPlanAsync("reference");
        var (code, output) = await ToolProcess.RunAsync("gallery", "run", dir, "--threads", "1");
        code.Should().Be(0, output);
        ReferenceOutput = output;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file the OS still holds: temp space, cleaned later.
        }

        return Task.CompletedTask;
    }

    /// <summary>Every file under <c>layers/</c> and <c>examples/</c>, relative path to bytes.</summary>
    public static SortedDictionary<string, byte[]> Outputs(string dir)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string folder in new[] { "layers", "examples" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(dir, folder), "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(dir, file)] = File.ReadAllBytes(file);
            }
        }

        return files;
    }
}

[CollectionDefinition(Name)]
public sealed class MicroscopeCollection : ICollectionFixture<MicroscopeFixture>
{
    public const string Name = "microscope";
}
