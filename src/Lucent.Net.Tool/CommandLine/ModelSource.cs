using Lucent.Net.Activations;
using Lucent.Net.ModelZoo.Catalog;
using static TorchSharp.torch;

namespace Lucent.Net.Tool.CommandLine;

/// <summary>Loads the model a command names: <c>inceptionv1</c>, <c>resnet18</c>, a <c>.onnx</c> file or an InceptionV1 <c>.pth</c> state dict.</summary>
internal static class ModelSource
{
    public const string HelpText = "inceptionv1, resnet18, a .onnx file, or an InceptionV1 .pth state dict";

    public static async Task<nn.Module<Tensor, Tensor>> LoadAsync(string spec, Device? device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (CommonOptions.PathProblem(spec) is { } problem)
        {
            throw new ToolException($"Cannot load model '{spec}': {problem}; give {HelpText}.");
        }

        var options = new ModelLoadOptions { Device = device };
        try
        {
            string extension = Path.GetExtension(spec).ToLowerInvariant();
            if (extension is ".onnx" or ".pth" or ".pt")
            {
                return ModelCatalog.LoadFromFile(spec, extension == ".onnx" ? null : ModelCatalog.InceptionV1, options);
            }

            return await ModelCatalog.LoadAsync(spec, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsLoadError(e))
        {
            throw new ToolException($"Cannot load model '{spec}': {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>
    /// Why a model named on the command line could not be loaded: an unknown name, a missing or unreadable file, a
    /// file that is not a model (corrupt ONNX or checkpoint), weights of another model, weights unavailable or damaged.
    /// </summary>
    public static bool IsLoadError(Exception e) => e is UnknownModelException
        or ArgumentException
        or IOException
        or UnauthorizedAccessException
        or Lucent.Net.ModelZoo.Weights.WeightsUnavailableException
        or Lucent.Net.ModelZoo.Weights.WeightsHashMismatchException
        or Lucent.Net.ModelZoo.Checkpoints.CheckpointFormatException
        or Lucent.Net.ModelZoo.Checkpoints.StateDictMismatchException
        or Lucent.Net.ModelZoo.InceptionV1.InceptionV1StateDictException
        or Lucent.Net.ModelZoo.Onnx.OnnxImportException;

    /// <summary>The model's layers with 4-D outputs (batch, channels, height, width) at <paramref name="size"/> pixels.</summary>
    public static IReadOnlyList<LayerInfo> ChannelLayers(nn.Module<Tensor, Tensor> model, int size = 224) =>
        ModelCatalog.DescribeLayers(model, size).Where(l => l.OutputShape.Count == 4).ToArray();

    /// <summary>Channel counts of every layer with 4-D output, by name and by alias (e.g. ResNet-18's <c>layer3</c>).</summary>
    public static Dictionary<string, int> ChannelCounts(nn.Module<Tensor, Tensor> model)
    {
        var counts = ChannelLayers(model).ToDictionary(l => l.Name, l => (int)l.OutputShape[1], StringComparer.Ordinal);
        foreach (var (alias, target) in Aliases(model))
        {
            if (counts.TryGetValue(target, out int count))
            {
                counts.TryAdd(alias, count);
            }
        }

        return counts;
    }

    /// <summary>The model's layer aliases (alias to layer name); empty when it has none.</summary>
    public static IReadOnlyDictionary<string, string> Aliases(nn.Module<Tensor, Tensor> model) =>
        model is Lucent.Net.Modules.ILayerAliases aliases ? aliases.LayerAliases : new Dictionary<string, string>();

    public static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
