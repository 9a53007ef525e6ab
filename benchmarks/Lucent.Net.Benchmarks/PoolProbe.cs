using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary><c>pool</c>: InceptionV1's 3x3 max pools at batch 10 through LibTorch's NCHW kernel against candidate implementations: values, gradients (ties included: the inputs are ReLU outputs), time.</summary>
internal static class PoolProbe
{
    private sealed record Case(string Name, long[] Shape, int Stride, int Padding, bool CeilMode);

    public static int Run(HarnessOptions options)
    {
        int repeats = options.Int("repeats", 5);
        Machine.PrintHeader("pool");
        using var generator = new Generator(17, torch.CPU);
        Case[] cases =
        [
            new("maxpool0", [10, 64, 112, 112], 2, 0, true),
            new("maxpool1", [10, 192, 56, 56], 2, 0, true),
            new("mixed3a_pool", [10, 192, 28, 28], 1, 1, false),
            new("mixed3b_pool", [10, 256, 28, 28], 1, 1, false),
            new("maxpool4", [10, 480, 28, 28], 2, 0, true),
            new("mixed4a_pool", [10, 480, 14, 14], 1, 1, false),
        ];
        var totals = new Dictionary<string, double>();
        foreach (var c in cases)
        {
            using var scope = NewDisposeScope();
            var x = nn.functional.relu(torch.randn(c.Shape, generator: generator)).requires_grad_(true);
            var upstreamShape = nn.functional.max_pool2d(x.detach(), 3, c.Stride, c.Padding, ceil_mode: c.CeilMode).shape;
            var upstream = torch.randn(upstreamShape, generator: generator);
            var variants = new (string Name, Func<Tensor, Tensor> Pool)[]
            {
                ("nchw", t => nn.functional.max_pool2d(t, 3, c.Stride, c.Padding, ceil_mode: c.CeilMode)),
                ("channels-last", t => ChannelsLast(t, c)),
                ("channels-last-keep", t => ChannelsLastKeep(t, c)),
                ("separable", t => Separable(t, c)),
            };
            var reference = variants[0].Pool(x);
            var gradReference = torch.autograd.grad([reference], [x], [upstream])[0];
            var line = new List<string>();
            foreach (var (name, pool) in variants)
            {
                var y = pool(x);
                var g = torch.autograd.grad([y], [x], [upstream])[0];
                double dv = y.sub(reference).abs().max().ToDouble();
                double dg = g.sub(gradReference).abs().max().ToDouble();
                double t = Time(pool, x, upstream, repeats);
                totals[name] = totals.GetValueOrDefault(name) + t;
                line.Add($"{name} {t:F1} ms (|dv| {dv:G2}, |dg| {dg:G2})");
            }

            CompareCommand.Print($"{c.Name} [{string.Join("x", c.Shape)}]: {string.Join("; ", line)}");
        }

        CompareCommand.Print($"total fwd+bwd: {string.Join("; ", totals.Select(kv => $"{kv.Key} {kv.Value:F1} ms"))}");
        return 0;
    }

    private static Tensor ChannelsLast(Tensor x, Case c)
    {
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        using var view = nhwc.permute(0, 3, 1, 2);
        using var pooled = nn.functional.max_pool2d(view, 3, c.Stride, c.Padding, ceil_mode: c.CeilMode);
        return pooled.contiguous();
    }

    private static Tensor ChannelsLastKeep(Tensor x, Case c)
    {
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        using var view = nhwc.permute(0, 3, 1, 2);
        return nn.functional.max_pool2d(view, 3, c.Stride, c.Padding, ceil_mode: c.CeilMode);
    }

    /// <summary>Rows, then columns: 1x3 then 3x1 pools on the channels-last input (same first-maximum ties in row-major order).</summary>
    private static Tensor Separable(Tensor x, Case c)
    {
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        using var view = nhwc.permute(0, 3, 1, 2);
        using var rows = nn.functional.max_pool2d(view, [1, 3], [1, c.Stride], [0, c.Padding], [1, 1], c.CeilMode);
        return nn.functional.max_pool2d(rows, [3, 1], [c.Stride, 1], [c.Padding, 0], [1, 1], c.CeilMode);
    }

    private static double Time(Func<Tensor, Tensor> pool, Tensor x, Tensor upstream, int repeats)
    {
        double best = double.MaxValue;
        for (int i = 0; i < repeats + 1; i++)
        {
            using var scope = NewDisposeScope();
            var stopwatch = Stopwatch.StartNew();
            var y = pool(x);
            torch.autograd.grad([y], [x], [upstream]);
            if (i > 0)
            {
                best = Math.Min(best, stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        return best;
    }
}
