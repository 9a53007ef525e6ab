using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Analysis;

/// <summary>Reads the arrays of Fixtures/analysis/*.json (made by Fixtures/make_fixtures.py from Lucent's own code).</summary>
internal static class AnalysisFixture
{
    public static JsonElement Load(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "analysis", file);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static long[] Shape(JsonElement array) => array.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();

    public static double[] Values(JsonElement array) => array.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static double[] Doubles(JsonElement list) => list.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static Tensor Tensor(JsonElement array) => torch.tensor(Values(array), Shape(array), ScalarType.Float64);

    public static double[] Flat(Tensor t)
    {
        using var c = t.detach().cpu().to(ScalarType.Float64).contiguous();
        return c.data<double>().ToArray();
    }

    public static double MaxAbsDifference(Tensor actual, JsonElement expected)
    {
        actual.shape.Should().Equal(Shape(expected));
        double[] a = Flat(actual);
        double[] e = Values(expected);
        return a.Zip(e, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();
    }
}
