using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// The tutorial's Part 1 workload: InceptionV1 (random weights; speed does not depend on them),
/// channels 0-9 of mixed4a, a 128 px FFT image with colour decorrelation upsampled to 224,
/// Lucent's standard transforms, Adam 0.05.
/// </summary>
internal static class Part1Workload
{
    public const string Layer = "mixed4a";
    public const int ImageSize = 128;
    public const int ModelInputSize = 224;
    public const long ModelSeed = 1234;

    public static readonly int[] Channels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

    /// <summary>InceptionV1 with reproducible random weights (redirected ReLU, as Lucent's default).</summary>
    public static InceptionV1Model CreateModel(InceptionV1Options? options = null)
    {
        options ??= new InceptionV1Options();
        options.InitializationSeed ??= ModelSeed;
        var model = new InceptionV1Model(options);
        model.eval();
        model.to(BenchmarkDevice.Current);
        return model;
    }

    /// <summary>Our default path's options for <paramref name="steps"/> steps (every default left as is).</summary>
    public static RenderOptions OurOptions(int steps, long seed = 0) => new()
    {
        Thresholds = [steps],
        Seed = seed,
    };

    /// <summary>The standard transforms, then InceptionV1's preprocessing, then the resize to 224 (what the renderer builds).</summary>
    public static TransformPipeline Pipeline(InceptionV1Model model) =>
        new([TransformPipeline.Standard, model.Preprocessing, new ResizeTransform(ModelInputSize)]);

    /// <summary>The default parameterisation for <paramref name="batch"/> images.</summary>
    public static IImageParameterization Parameterization(int batch, Generator generator) =>
        ImageParameterizations.Image(ImageSize, batch: batch, generator: generator, device: BenchmarkDevice.Current);
}
