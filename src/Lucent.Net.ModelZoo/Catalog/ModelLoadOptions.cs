using Lucent.Net.ModelZoo.Weights;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Catalog;

/// <summary>Options for <see cref="ModelCatalog"/>.</summary>
public sealed class ModelLoadOptions
{
    /// <summary>An explicit weights file (InceptionV1 <c>.pth</c>) or model file (ResNet-18 <c>.onnx</c>); null means the usual lookup.</summary>
    public string? WeightsPath { get; set; }

    /// <summary>Where the weight store looks and whether it may download (InceptionV1).</summary>
    public WeightStoreOptions? WeightStore { get; set; }

    /// <summary>
    /// A mirror to download the weights from instead of their usual address (Lucent's <c>model_urls</c>), for the weights
    /// the weight store fetches: InceptionV1 and the upconvGAN generators. The file's pins (size bound, hash where
    /// known, format check) still apply, and the store's cache and lookup order are unchanged
    /// (<see cref="PretrainedWeights.WithUrl"/>). Null means the usual address. Ignored for ResNet-18, which ships in a
    /// NuGet package.
    /// </summary>
    public Uri? WeightsUrl { get; set; }

    /// <summary>The weights to resolve: <paramref name="weights"/>, from <see cref="WeightsUrl"/> when it is set.</summary>
    internal PretrainedWeights From(PretrainedWeights weights) => WeightsUrl is { } url ? weights.WithUrl(url) : weights;

    /// <summary>Receives download progress.</summary>
    public IProgress<DownloadProgress>? DownloadProgress { get; set; }

    /// <summary>Use Lucid's redirected ReLU (default, as Lucent's InceptionV1) so that optimisation from noise does not stall on dead channels.</summary>
    public bool UseRedirectedRelu { get; set; } = true;

    /// <summary>
    /// The device to put the model on (e.g. <c>torch.CUDA</c>, or <c>TorchDevices.Parse("auto")</c>); null means the CPU.
    /// Renders then run there (see <c>docs/gpu.md</c>).
    /// </summary>
    public Device? Device { get; set; }
}
