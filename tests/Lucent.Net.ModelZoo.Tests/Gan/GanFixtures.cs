using System.Text.Json;
using Lucent.Net.ModelZoo.Gan;

namespace Lucent.Net.ModelZoo.Tests.Gan;

/// <summary>The files of Fixtures/gan, written by real PyTorch (Fixtures/make_gan_fixtures.py).</summary>
internal static class GanFixtures
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "gan");

    public static string TinyPath(string name) => Path.Combine(Directory, name + "_tiny.pt");

    public static JsonElement Structure(string variant) => Read("structure.json").GetProperty(variant);

    public static JsonElement Tiny(string variant) => Read("tiny_reference.json").GetProperty(variant);

    /// <summary>The narrow widths the fixture's generator of <paramref name="variant"/> was built with.</summary>
    public static UpconvGanWidths TinyWidths(string variant)
    {
        int[] w = [.. Tiny(variant).GetProperty("widths").EnumerateArray().Select(e => e.GetInt32())];
        return new UpconvGanWidths(w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
    }

    public static UpconvGanVariant Variant(string name) => name switch
    {
        "fc6" => UpconvGanVariant.Fc6,
        "fc7" => UpconvGanVariant.Fc7,
        "fc8" => UpconvGanVariant.Fc8,
        _ => UpconvGanVariant.Pool5,
    };

    private static JsonElement Read(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, file)));
        return document.RootElement.Clone();
    }
}
