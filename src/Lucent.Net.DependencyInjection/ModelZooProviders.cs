using Lucent.Net.ModelZoo.Catalog;
using ZooCatalog = Lucent.Net.ModelZoo.Catalog.ModelCatalog;
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
    public const string InceptionV1 = ZooCatalog.InceptionV1;

    /// <summary>The name of the ResNet-18 provider.</summary>
    public const string ResNet18 = ZooCatalog.ResNet18;

    /// <summary>
    /// Creates InceptionV1 and loads its pretrained weights through the zoo's catalog: found in
    /// <see cref="ModelProviderContext.WeightsFolder"/> (or the weight store's default folder), downloaded there when missing.
    /// </summary>
    /// <param name="context">The provider context.</param>
    /// <returns>The model, in evaluation mode; the catalog owns it.</returns>
    /// <exception cref="WeightsUnavailableException">The weights are not available and could not be downloaded.</exception>
    public static nn.Module<Tensor, Tensor> CreateInceptionV1(ModelProviderContext context) => Load(InceptionV1, context);

    /// <summary>Loads the pretrained ResNet-18 shipped by NuGet through the zoo's catalog.</summary>
    /// <param name="context">The provider context (the file comes from the NuGet package).</param>
    /// <returns>The model; the catalog owns it.</returns>
    public static nn.Module<Tensor, Tensor> CreateResNet18(ModelProviderContext context) => Load(ResNet18, context);

    private static nn.Module<Tensor, Tensor> Load(string name, ModelProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = new ModelLoadOptions { WeightStore = new WeightStoreOptions { CacheDirectory = context.WeightsFolder }, Device = context.Device };
        return ZooCatalog.LoadAsync(name, options).GetAwaiter().GetResult();
    }
}
