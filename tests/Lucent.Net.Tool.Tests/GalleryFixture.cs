namespace Lucent.Net.Tool.Tests;

/// <summary>
/// A small plan on the pretrained ResNet-18 (2 layers x 6 channels, batches of 2: 6 units; 32 px seen at 32 px, 40 steps,
/// images at steps 8 and 40), and its single-process rendering: the reference every sharded run must equal byte for byte.
/// </summary>
public sealed class GalleryFixture() : PlannedGalleryFixture("lucent-tool-tests-")
{
    public static readonly string[] PlanOptions =
        ["resnet18", "--layers", "layer1,layer2", "--channels", "0-5", "--steps", "40", "--thresholds", "8", "--size", "32", "--input-size", "32", "--batch", "2", "--seed", "7", "--kinds", "channel"];

    public const int Units = 6;

    protected override IReadOnlyList<string> Options => PlanOptions;

    /// <summary>Every file under <c>layers/</c> (images and channel JSONs), relative path to bytes.</summary>
    public static SortedDictionary<string, byte[]> Outputs(string dir) => Files(dir, "layers");

    /// <summary>Asserts <paramref name="dir"/>'s outputs equal the reference's byte for byte and no partial file is left.</summary>
    public void ShouldEqualReference(string dir)
    {
        var expected = Outputs(Reference);
        var actual = Outputs(dir);
        expected.Should().HaveCount(Units * 2 * 3, "2 channels per unit, each with 2 PNGs and a JSON");
        actual.Keys.Should().Equal(expected.Keys);
        foreach (var (name, bytes) in expected)
        {
            actual[name].AsSpan().SequenceEqual(bytes).Should().BeTrue($"{name} must be byte-identical to the single-process run");
        }

        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".lucent-tmp", StringComparison.Ordinal) || f.Contains("/.staging/", StringComparison.Ordinal))
            .Should().BeEmpty("no partial or temporary file may be left");
        Directory.Exists(Path.Combine(dir, ".staging")).Should().BeFalse("the last run to finish removes the empty staging folder");
        Directory.EnumerateFiles(Path.Combine(dir, "done"), "*.json").Should().HaveCount(Units);
    }
}

[CollectionDefinition(Name)]
public sealed class GalleryCollection : ICollectionFixture<GalleryFixture>
{
    public const string Name = "gallery";
}
