using System.Diagnostics;
using static TorchSharp.torch;

namespace Lucent.Net.Runtime;

/// <summary>
/// The small network the render tuning times (docs/performance.md, "Measured defaults"): InceptionV1's stem
/// and a reduced inception branch at full channel counts on an 80x80 input (conv 7x7/2 3->64, max pool,
/// conv 1x1 64->64, conv 3x3 64->192, max pool, then 1x1 192->64 beside 1x1 192->96 and 3x3 96->128),
/// frozen seeded weights, channels-last like the model zoo's InceptionV1, ReLUs and max pools. A pass is what
/// a render step does in the model: the forward pass of <see cref="Batch"/> images, a few at a time, each
/// slice's objective (one channel's mean per image) and its backward pass to the input.
/// </summary>
internal sealed class TuningStandIn : IDisposable
{
    /// <summary>The stand-in batch (a batched render's typical ten channels, rounded to a power of two).</summary>
    public const int DefaultBatch = 8;

    /// <summary>The stand-in's input height and width.</summary>
    public const int DefaultSize = 80;

    private const long Seed = 20_261_207;

    private readonly Tensor _input;
    private readonly Tensor[] _weights;
    private readonly Tensor[] _biases;

    /// <summary>Makes the stand-in.</summary>
    /// <param name="batch">Images per pass.</param>
    /// <param name="size">Input height and width.</param>
    public TuningStandIn(int batch = DefaultBatch, int size = DefaultSize)
    {
        Batch = batch;
        using var generator = new Generator((ulong)Seed);
        _input = rand([batch, 3, size, size], generator: generator);
        (int Out, int In, int K)[] shapes = [(64, 3, 7), (64, 64, 1), (192, 64, 3), (64, 192, 1), (96, 192, 1), (128, 96, 3)];
        _weights = new Tensor[shapes.Length];
        _biases = new Tensor[shapes.Length];
        for (int i = 0; i < shapes.Length; i++)
        {
            var (o, n, k) = shapes[i];
            using var w = randn([o, n, k, k], generator: generator);
            _weights[i] = (w * (1.0 / Math.Sqrt(n * k * k))).contiguous();
            using var b = randn([o], generator: generator);
            _biases[i] = b * 0.1;
        }
    }

    /// <summary>Images per pass.</summary>
    public int Batch { get; }

    /// <summary>Runs one pass with <paramref name="microBatch"/> images per slice (null: all at once).</summary>
    /// <param name="microBatch">Images per slice.</param>
    /// <returns>Milliseconds per image.</returns>
    public double Time(int? microBatch)
    {
        var stopwatch = Stopwatch.StartNew();
        using var gradient = Gradient(microBatch);
        return stopwatch.Elapsed.TotalMilliseconds / Batch;
    }

    /// <summary>One pass; returns the gradient of the objectives with respect to the input.</summary>
    /// <param name="microBatch">Images per slice (null: all at once).</param>
    /// <returns>The input gradient (the caller disposes it).</returns>
    public Tensor Gradient(int? microBatch)
    {
        int size = Math.Clamp(microBatch ?? Batch, 1, Batch);
        using var scope = NewDisposeScope();
        using var enabled = enable_grad();
        var input = ToChannelsLast(_input).detach().requires_grad_(true);
        for (int start = 0; start < Batch; start += size)
        {
            int length = Math.Min(size, Batch - start);
            var slice = input.narrow(0, start, length);
            var output = Forward(slice);
            // Each image's objective: the mean of one channel (image i reads channel i), as RenderChannels does.
            var channels = arange(start, start + length, dtype: ScalarType.Int64);
            var loss = output.mean([2, 3]).gather(1, channels.unsqueeze(1)).sum();
            loss.backward();
        }

        return input.grad!.contiguous().MoveToOuterDisposeScope();
    }

    private Tensor Forward(Tensor x)
    {
        var y = Conv(x, 0, 2, 3).relu_();
        y = nn.functional.max_pool2d(y, 3, 2, 1);
        y = Conv(y, 1, 1, 0).relu_();
        y = Conv(y, 2, 1, 1).relu_();
        y = nn.functional.max_pool2d(y, 3, 2, 1);
        var left = Conv(y, 3, 1, 0).relu_();
        var middle = Conv(y, 4, 1, 0).relu_();
        var right = Conv(middle, 5, 1, 1).relu_();
        return cat([left, right], 1);
    }

    private Tensor Conv(Tensor x, int layer, long stride, long padding) =>
        nn.functional.conv2d(x, _weights[layer], _biases[layer], strides: [stride, stride], padding: [padding, padding]);

    private static Tensor ToChannelsLast(Tensor x)
    {
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }

    public void Dispose()
    {
        _input.Dispose();
        foreach (var tensor in _weights.Concat(_biases))
        {
            tensor.Dispose();
        }
    }
}
