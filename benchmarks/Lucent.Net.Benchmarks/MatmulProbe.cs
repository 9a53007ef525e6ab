using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary>Measures what the CPU sustains on a dense 2048x2048 float32 matmul through TorchSharp (2 n^3 FLOPs each).</summary>
internal static class MatmulProbe
{
    public const int Size = 2048;

    /// <summary>GFLOP/s of the best of <paramref name="repeats"/> timed matmuls (after one warm-up).</summary>
    public static double Measure(int repeats = 8, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7, torch.CPU);
        var a = torch.randn([Size, Size], generator: generator).to(dtype);
        var b = torch.randn([Size, Size], generator: generator).to(dtype);
        using (torch.matmul(a, b))
        {
        }

        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            using (torch.matmul(a, b))
            {
            }

            best = Math.Min(best, stopwatch.Elapsed.TotalSeconds);
        }

        return 2.0 * Size * Size * (double)Size / best / 1e9;
    }
}
