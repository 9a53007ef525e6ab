using System.Diagnostics;
using Lucent.Net.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary><c>relu</c>: the library's redirected ReLU (leaky_relu, then an unrecorded in-place clamp) against the same gradient composed from element-wise operations, on InceptionV1's largest ReLU inputs at batch 10: values, gradients, time.</summary>
internal static class ReluProbe
{
    public static int Run(HarnessOptions options)
    {
        int repeats = options.Int("repeats", 5);
        Machine.PrintHeader("relu");
        using var generator = new Generator(13, torch.CPU);
        foreach (long[] shape in new[] { new long[] { 10, 64, 112, 112 }, [10, 192, 56, 56], [10, 128, 28, 28] })
        {
            using var scope = NewDisposeScope();
            var x = torch.randn(shape, generator: generator).requires_grad_(true);
            var upstream = torch.randn(shape, generator: generator);
            var reference = ComposedRedirectedRelu(x);
            var fast = RedirectedRelu.Apply(x);
            double valueDiff = fast.sub(reference).abs().max().ToDouble();
            var gradReference = torch.autograd.grad([reference], [x], [upstream])[0];
            var gradFast = torch.autograd.grad([fast], [x], [upstream])[0];
            double gradDiff = gradFast.sub(gradReference).abs().max().ToDouble();
            double tReference = Time(ComposedRedirectedRelu, x, upstream, repeats);
            double tFast = Time(RedirectedRelu.Apply, x, upstream, repeats);
            CompareCommand.Print($"[{string.Join("x", shape)}] forward+backward: composed element-wise {tReference:F1} ms, RedirectedRelu {tFast:F1} ms; max |diff| value {valueDiff:G3}, gradient {gradDiff:G3} (they differ only at inputs exactly 0: 0.1 vs 1)");
        }

        return 0;
    }

    /// <summary>relu(x) with gradient where(x &lt; 0, 0.1, 1), composed from element-wise operations (the library's first implementation).</summary>
    private static Tensor ComposedRedirectedRelu(Tensor x)
    {
        var value = nn.functional.relu(x).detach();
        var scale = torch.where(x.lt(0), 0.1, 1.0).to(x.dtype);
        return value + ((x - x.detach()) * scale);
    }

    private static double Time(Func<Tensor, Tensor> relu, Tensor x, Tensor upstream, int repeats)
    {
        double best = double.MaxValue;
        for (int i = 0; i < repeats + 1; i++)
        {
            using var scope = NewDisposeScope();
            var stopwatch = Stopwatch.StartNew();
            var y = relu(x);
            torch.autograd.grad([y], [x], [upstream]);
            if (i > 0)
            {
                best = Math.Min(best, stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        return best;
    }
}
