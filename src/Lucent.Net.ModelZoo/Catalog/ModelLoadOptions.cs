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
