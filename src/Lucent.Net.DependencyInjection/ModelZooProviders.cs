using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.ModelZoo.Weights;
using static TorchSharp.torch;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// The model zoo's models as <see cref="IModelProvider"/>s: <c>inceptionv1</c> (Lucent's
/// InceptionV1 with pretrained weights from the weight store) and <c>resnet18</c> (the pretrained
/// ResNet-18 from the <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package). Register both with
/// <see cref="LucentBuilder.AddModelZoo"/>.
/// </summary>
public static class ModelZooProviders
{
    /// <summary>The name of the InceptionV1 provider.</summary>
    public const string InceptionV1 = "inceptionv1";

    /// <summary>The name of the ResNet-18 provider.</summary>
    public const string ResNet18 = "resnet18";

    /// <summary>
    /// Creates InceptionV1 and loads its pretrained weights: found in <see cref="ModelProviderContext.WeightsFolder"/>
    /// (or the weight store's default folder), downloaded there when missing.
    /// </summary>
    /// <param name="context">The provider context.</param>
    /// <returns>The model, in evaluation mode; the catalog owns it.</returns>
    /// <exception cref="WeightsUnavailableException">The weights are not available and could not be downloaded.</exception>
    public static nn.Module<Tensor, Tensor> CreateInceptionV1(ModelProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var store = new WeightStore(new WeightStoreOptions { CacheDirectory = context.WeightsFolder });
        string path = store.ResolveAsync(PretrainedWeights.InceptionV1).GetAwaiter().GetResult();
        var model = new InceptionV1Model();
        try
        {
            using var stateDict = PyTorchCheckpoint.ReadStateDict(path);
            model.LoadStateDict(stateDict);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads the pretrained ResNet-18 shipped by NuGet (see <see cref="PretrainedResNet18"/>).</summary>
    /// <param name="context">The provider context (unused: the file comes from the NuGet package).</param>
    /// <returns>The model; the catalog owns it.</returns>
    public static nn.Module<Tensor, Tensor> CreateResNet18(ModelProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PretrainedResNet18.Load();
    }
}
