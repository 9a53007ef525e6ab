using BenchmarkDotNet.Attributes;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks.Pieces;

/// <summary>Each standard transform, the whole standard pipeline and the resize to 224, on a batch of 128 px images.</summary>
public class TransformBenchmarks
{
    private Tensor image = null!;
    private Generator generator = null!;
    private TransformContext context = null!;
    private readonly IImageTransform pad = new PadTransform(12, PadMode.Constant, 0.5);
    private readonly IImageTransform jitter = new JitterTransform(8);
    private readonly IImageTransform scale = new RandomScaleTransform([1.0, 0.975, 1.025, 0.95, 1.05]);
    private readonly IImageTransform rotate = new RandomRotateTransform([-5.0, -4, -3, -2, -1, 1, 2, 3, 4, 5]);
    private readonly IImageTransform resize = new ResizeTransform(224);
    private readonly IImageTransform preprocess = new InceptionV1PreprocessingTransform();

    /// <summary>Images per batch.</summary>
    [Params(1, 10)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        generator = new Generator(3, torch.CPU);
        context = new TransformContext(generator);
        image = torch.rand([Batch, 3, 128, 128], generator: generator).DetachFromDisposeScope();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        image.Dispose();
        generator.Dispose();
    }

    [Benchmark]
    public long Pad() => Run(pad);

    [Benchmark]
    public long Jitter() => Run(jitter);

    [Benchmark]
    public long RandomScale() => Run(scale);

    [Benchmark]
    public long RandomRotate() => Run(rotate);

    [Benchmark]
    public long Preprocess() => Run(preprocess);

    [Benchmark]
    public long ResizeTo224() => Run(resize);

    [Benchmark(Baseline = true)]
    public long StandardPipeline() => Run(TransformPipeline.Standard);

    private long Run(IImageTransform transform)
    {
        using var output = transform.Apply(image, context);
        return output.shape[^1];
    }
}
