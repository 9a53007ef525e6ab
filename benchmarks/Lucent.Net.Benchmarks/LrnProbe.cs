using System.Diagnostics;
using Lucent.Net.ModelZoo.InceptionV1;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary><c>lrn</c>: LibTorch's local_response_norm (avg_pool3d inside) against the model's implementation, on InceptionV1's two LRN inputs at batch 10.</summary>
internal static class LrnProbe
{
    public static int Run(HarnessOptions options)
    {
        int repeats = options.Int("repeats", 5);
        int batch = options.Int("batch", 10);
        Machine.PrintHeader("lrn");
        using var generator = new Generator(11, torch.CPU);
        foreach (long[] shape in new[] { new long[] { batch, 64, 56, 56 }, [batch, 192, 56, 56] })
        {
            using var scope = NewDisposeScope();
            var x = torch.rand(shape, generator: generator).mul(300).requires_grad_(true);
            var reference = nn.functional.local_response_norm(x, InceptionV1Model.LrnSize, InceptionV1Model.LrnAlpha, InceptionV1Model.LrnBeta, InceptionV1Model.LrnK);
            var ours = InceptionV1Model.LocalResponseNormalization(x);
            double maxDiff = ours.sub(reference).abs().max().ToDouble();
            var gradReference = torch.autograd.grad([reference.sum()], [x])[0];
            var gradOurs = torch.autograd.grad([ours.sum()], [x])[0];
            double maxGradDiff = gradOurs.sub(gradReference).abs().max().ToDouble();
            double tReference = Time(() => nn.functional.local_response_norm(x, InceptionV1Model.LrnSize, InceptionV1Model.LrnAlpha, InceptionV1Model.LrnBeta, InceptionV1Model.LrnK), x, repeats);
            double tOurs = Time(() => InceptionV1Model.LocalResponseNormalization(x), x, repeats);
            CompareCommand.Print($"[{string.Join("x", shape)}] forward+backward: local_response_norm {tReference:F1} ms, model's {tOurs:F1} ms; max |diff| value {maxDiff:G3}, gradient {maxGradDiff:G3} (|value| max {reference.abs().max().ToDouble():G3})");
            var banded = BandedMatmulLrn(x);
            double bandDiff = banded.sub(reference).abs().max().ToDouble();
            var gradBanded = torch.autograd.grad([banded.sum()], [x])[0];
            double bandGradDiff = gradBanded.sub(gradReference).abs().max().ToDouble();
            double tBanded = Time(() => BandedMatmulLrn(x), x, repeats);
            CompareCommand.Print($"    banded matmul + rsqrt {tBanded:F1} ms; max |diff| value {bandDiff:G3}, gradient {bandGradDiff:G3} (|gradient| max {gradReference.abs().max().ToDouble():G3})");
        }

        // ONNX's LRN (GoogLeNet's constants: size 5, alpha 1e-4, beta 0.75, bias 1): the importer's old formulation
        // (avg_pool2d over the padded squares) against the shared implementation it runs now.
        var onnx = Lucent.Net.ModelZoo.Normalization.LrnSpec.Onnx(5, 1e-4, 0.75, 1);
        foreach (long[] shape in new[] { new long[] { batch, 64, 56, 56 }, [batch, 192, 56, 56] })
        {
            using var scope = NewDisposeScope();
            var x = torch.rand(shape, generator: generator).mul(300).requires_grad_(true);
            var old = AvgPoolLrn(x, onnx);
            var now = Lucent.Net.ModelZoo.Normalization.LocalResponseNorm.Apply(x, onnx);
            double maxDiff = now.sub(old).abs().max().ToDouble();
            double tOld = Time(() => AvgPoolLrn(x, onnx), x, repeats);
            double tNow = Time(() => Lucent.Net.ModelZoo.Normalization.LocalResponseNorm.Apply(x, onnx), x, repeats);
            CompareCommand.Print($"ONNX LRN [{string.Join("x", shape)}] forward+backward: avg_pool2d formulation {tOld:F1} ms, shared implementation {tNow:F1} ms; max |diff| {maxDiff:G3} (|value| max {old.abs().max().ToDouble():G3})");
        }

        return 0;
    }

    /// <summary>The ONNX importer's LRN before session 8: pad the squares, average with avg_pool2d, power, divide.</summary>
    private static Tensor AvgPoolLrn(Tensor x, Lucent.Net.ModelZoo.Normalization.LrnSpec spec)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var squares = x.square().reshape(shape[0], 1, shape[1], shape[2] * shape[3]);
        var padded = nn.functional.pad(squares, [0, 0, spec.Before, spec.After]);
        var mean = nn.functional.avg_pool2d(padded, [spec.Size, 1], [1, 1], [0, 0], false, true).reshape(shape);
        return (x / (mean * spec.Alpha + spec.Bias).pow(spec.Beta)).MoveToOuterDisposeScope();
    }

    private static Tensor BandedMatmulLrn(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var index = torch.arange(c);
        var band = index.unsqueeze(1).sub(index.unsqueeze(0)).abs().le(InceptionV1Model.LrnSize / 2).to(x.dtype).mul(InceptionV1Model.LrnAlpha / InceptionV1Model.LrnSize);
        var squares = x.mul(x).reshape(b, c, h * w);
        var denominator = torch.matmul(band, squares).add_(InceptionV1Model.LrnK).rsqrt().reshape(b, c, h, w);
        return x.mul(denominator).MoveToOuterDisposeScope();
    }

    private static double Time(Func<Tensor> lrn, Tensor x, int repeats)
    {
        double best = double.MaxValue;
        for (int i = 0; i < repeats + 1; i++)
        {
            using var scope = NewDisposeScope();
            var stopwatch = Stopwatch.StartNew();
            var y = lrn();
            torch.autograd.grad([y.sum()], [x]);
            if (i > 0)
            {
                best = Math.Min(best, stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        return best;
    }
}
