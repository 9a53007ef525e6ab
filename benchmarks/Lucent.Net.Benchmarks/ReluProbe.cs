using System.Diagnostics;
using Lucent.Net.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary><c>relu</c>: the library's redirected ReLU against <see cref="FastRedirectedRelu"/> on InceptionV1's largest ReLU inputs at batch 10: values, gradients, time.</summary>
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
            var reference = RedirectedRelu.Apply(x);
            var fast = FastRedirectedRelu.Apply(x);
            double valueDiff = fast.sub(reference).abs().max().ToDouble();
            var gradReference = torch.autograd.grad([reference], [x], [upstream])[0];
            var gradFast = torch.autograd.grad([fast], [x], [upstream])[0];
            double gradDiff = gradFast.sub(gradReference).abs().max().ToDouble();
            double tReference = Time(RedirectedRelu.Apply, x, upstream, repeats);
            double tFast = Time(FastRedirectedRelu.Apply, x, upstream, repeats);
            CompareCommand.Print($"[{string.Join("x", shape)}] forward+backward: RedirectedRelu {tReference:F1} ms, custom autograd node {tFast:F1} ms; max |diff| value {valueDiff:G3}, gradient {gradDiff:G3}");
        }

        return 0;
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
