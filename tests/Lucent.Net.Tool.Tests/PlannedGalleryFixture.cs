namespace Lucent.Net.Tool.Tests;

/// <summary>
/// A gallery plan of fixed options in a temporary root, rendered once by a single process: the reference every
/// sharded, killed or rescheduled run of the same plan must equal byte for byte.
/// </summary>
public abstract class PlannedGalleryFixture(string rootPrefix) : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), rootPrefix + Guid.NewGuid().ToString("N")[..8]);

    public string Reference => Path.Combine(Root, "reference");

    public string ReferenceOutput { get; private set; } = string.Empty;

    /// <summary>The options of <c>lucent gallery plan</c>, without <c>--out</c>.</summary>
    protected abstract IReadOnlyList<string> Options { get; }

    /// <summary>A new gallery folder holding the same plan (not yet rendered).</summary>
    public async Task<string> NewPlanAsync(string name)
    {
        string dir = Path.Combine(Root, name);
        var (code, output) = await ToolProcess.RunAsync(["gallery", "plan", .. Options, "--out", dir]);
        code.Should().Be(0, output);
        return dir;
    }

    public async Task InitializeAsync()
    {
        Prepare();
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

    /// <summary>Every file under the given folders of <paramref name="dir"/>, relative path to bytes.</summary>
    protected static SortedDictionary<string, byte[]> Files(string dir, params string[] folders)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(dir, folder), "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(dir, file)] = File.ReadAllBytes(file);
            }
        }

        return files;
    }

    /// <summary>Makes what the plan reads (a dataset folder, say) before the reference is planned.</summary>
    protected virtual void Prepare()
    {
    }
}
