using Lucent.Net.Activations;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.ModelZoo.Onnx;
using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Catalog;

/// <summary>
/// The zoo's entry point: loads a model by name (<c>inceptionv1</c>, <c>resnet18</c>) or from a file
/// (<c>.pth</c>/<c>.pt</c> state dict plus an architecture name, or <c>.onnx</c>), and lists its layers.
/// </summary>
public static class ModelCatalog
{
    /// <summary>Lucid's InceptionV1 (inception5h GoogLeNet) with its pretrained weights from the weight store.</summary>
    public const string InceptionV1 = "inceptionv1";

    /// <summary>The ImageNet-trained ResNet-18 shipped in the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 (works offline).</summary>
    public const string ResNet18 = "resnet18";

    /// <summary>The names <see cref="LoadAsync"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [InceptionV1, ResNet18];

    /// <summary>Architectures a <c>.pth</c> state dict can be loaded into.</summary>
    public static IReadOnlyList<string> Architectures { get; } = [InceptionV1];

    /// <summary>Loads a pretrained model by name.</summary>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive).</param>
    /// <param name="options">Where weights come from; null means the defaults.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>The model in evaluation mode; the caller owns (disposes) it.</returns>
    /// <exception cref="UnknownModelException">No model has that name.</exception>
    /// <exception cref="WeightsUnavailableException">The weights cannot be found or downloaded; the message says which file to put where.</exception>
    /// <remarks>The model is put on <see cref="ModelLoadOptions.Device"/> (the CPU when null).</remarks>
    public static async Task<nn.Module<Tensor, Tensor>> LoadAsync(string name, ModelLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        options ??= new ModelLoadOptions();
        switch (name.Trim().ToLowerInvariant())
        {
            case InceptionV1:
                var store = new WeightStore(options.WeightStore);
                string path = await store.ResolveAsync(options.From(PretrainedWeights.InceptionV1), options.WeightsPath, options.DownloadProgress, cancellationToken).ConfigureAwait(false);
                return PlaceOnDevice(LoadInceptionV1(path, options), options);
            case ResNet18:
                var resnet = PretrainedResNet18.Load(new ResNet18Options { ModelPath = options.WeightsPath, UseRedirectedRelu = options.UseRedirectedRelu });
                resnet.eval();
                return PlaceOnDevice(resnet, options);
            default:
                throw new UnknownModelException(name, Names);
        }
    }

    /// <summary>Loads a model from a file: an ONNX graph, or a PyTorch state dict for a named architecture.</summary>
    /// <param name="path">A <c>.onnx</c>, <c>.pth</c> or <c>.pt</c> file.</param>
    /// <param name="architecture">For state dicts: one of <see cref="Architectures"/>; ignored for ONNX.</param>
    /// <param name="options">Loading options (redirected ReLU).</param>
    /// <returns>The model in evaluation mode; the caller owns (disposes) it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnknownModelException">The architecture is missing or unknown for a state dict.</exception>
    public static nn.Module<Tensor, Tensor> LoadFromFile(string path, string? architecture = null, ModelLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ModelLoadOptions();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model file '{Path.GetFullPath(path)}' does not exist.", path);
        }

        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".onnx")
        {
            var graph = OnnxModel.Load(path, new OnnxImportOptions { UseRedirectedRelu = options.UseRedirectedRelu });
            graph.eval();
            return PlaceOnDevice(graph, options);
        }

        if (extension is ".pth" or ".pt" or ".bin" or ".ckpt")
        {
            if (architecture is null || !string.Equals(architecture.Trim(), InceptionV1, StringComparison.OrdinalIgnoreCase))
            {
                throw new UnknownModelException(
                    architecture ?? "(none)",
                    Architectures,
                    $"A PyTorch state dict holds weights only: say which architecture to load it into (one of: {string.Join(", ", Architectures)}).");
            }

            return PlaceOnDevice(LoadInceptionV1(path, options), options);
        }

        throw new ArgumentException($"Cannot load '{path}': expected a .onnx file or a PyTorch state dict (.pth, .pt).", nameof(path));
    }

    /// <summary>The model's layers (Lucent names) with output shapes for a square input of <paramref name="size"/> pixels.</summary>
    /// <param name="model">The model.</param>
    /// <param name="size">Input height and width (224 for the zoo's models).</param>
    /// <returns>The layers in registration order.</returns>
    public static IReadOnlyList<LayerInfo> DescribeLayers(nn.Module<Tensor, Tensor> model, int size = 224) =>
        ModelLayers.Describe(model, size, size);

    /// <summary>Moves a freshly loaded model to <see cref="ModelLoadOptions.Device"/>; disposes it if the move fails.</summary>
    private static T PlaceOnDevice<T>(T model, ModelLoadOptions options)
        where T : nn.Module
    {
        if (options.Device is not { } device || device.type == DeviceType.CPU)
        {
            return model;
        }

        try
        {
            model.to(device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static InceptionV1Model LoadInceptionV1(string path, ModelLoadOptions options)
    {
        using var stateDict = PyTorchCheckpoint.ReadStateDict(path);
        var model = new InceptionV1Model(new InceptionV1Options { UseRedirectedRelu = options.UseRedirectedRelu });
        try
        {
            model.LoadStateDict(stateDict, strict: true);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
