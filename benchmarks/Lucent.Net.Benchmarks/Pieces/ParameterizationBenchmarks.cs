using BenchmarkDotNet.Attributes;
using Lucent.Net.Parameterization;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks.Pieces;

/// <summary>Forward (and forward + backward) of the image parameterisations at 128 px.</summary>
public class ParameterizationBenchmarks
{
    private IImageParameterization fft = null!;
    private IImageParameterization pixel = null!;

    /// <summary>Images per batch.</summary>
    [Params(1, 10)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        fft = ImageParameterizations.Image(128, batch: Batch, seed: 1);
        pixel = ImageParameterizations.Image(128, batch: Batch, fft: false, seed: 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        fft.Dispose();
        pixel.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float FftDecorrelated() => Create(fft, backward: false);

    [Benchmark]
    public float FftDecorrelatedWithBackward() => Create(fft, backward: true);

    [Benchmark]
    public float PixelDecorrelated() => Create(pixel, backward: false);

    private static float Create(IImageParameterization parameterization, bool backward)
    {
        using var scope = NewDisposeScope();
        using var grad = torch.enable_grad();
        var image = parameterization.CreateImage();
        var sum = image.sum();
        if (backward)
        {
            sum.backward();
            foreach (var parameter in parameterization.Parameters)
            {
                parameter.grad?.zero_();
            }
        }

        return sum.ToSingle();
    }
}
