using System.Text.Json;

namespace Lucent.Net.Tests.Transparency;

/// <summary>
/// Reference values from <c>Fixtures/make_transparency_fixtures.py</c> (real PyTorch, Lucid's formulas in Lucid's
/// NHWC layout and sign), stored NCHW, and the input formulas the script used.
/// </summary>
internal static class LucidTransparencyFixture
{
    private static readonly Lazy<JsonElement> Root = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "transparency", "lucid_transparency.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    });

    public static JsonElement Data => Root.Value;

    public static readonly long[] InputShape = [2, 4, 7, 9];

    /// <summary><c>x[n, c, y, x] = 0.5 + 0.45 sin(0.9 n + 1.7 c + 0.37 y^2 + 0.53 x + 0.11 x y)</c>, laid out (2, 4, 7, 9).</summary>
    public static float[] Input() =>
        Formula(InputShape, (n, c, y, x) => 0.5 + (0.45 * Math.Sin((0.9 * n) + (1.7 * c) + (0.37 * y * y) + (0.53 * x) + (0.11 * x * y))));

    /// <summary><c>raw[n, c, y, x] = 1.5 sin(0.8 n + 1.1 c + 0.6 y + 0.35 x + 0.2 x y)</c>, laid out (1, 4, 3, 5).</summary>
    public static float[] Raw() =>
        Formula([1, 4, 3, 5], (n, c, y, x) => 1.5 * Math.Sin((0.8 * n) + (1.1 * c) + (0.6 * y) + (0.35 * x) + (0.2 * x * y)));

    public static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    private static float[] Formula(long[] shape, Func<int, int, int, int, double> f)
    {
        var values = new float[shape[0] * shape[1] * shape[2] * shape[3]];
        int i = 0;
        for (int n = 0; n < shape[0]; n++)
        {
            for (int c = 0; c < shape[1]; c++)
            {
                for (int y = 0; y < shape[2]; y++)
                {
                    for (int x = 0; x < shape[3]; x++)
                    {
                        values[i++] = (float)f(n, c, y, x);
                    }
                }
            }
        }

        return values;
    }
}
