namespace Lucent.Net.Modules;

/// <summary>
/// Implemented by models that offer friendly names for some layers (e.g. torchvision-style
/// <c>layer3</c> for an imported ResNet's node). Hooks accept an alias wherever a layer name is
/// expected and read the aliased layer.
/// </summary>
public interface ILayerAliases
{
    /// <summary>Friendly name to the hook name of the layer it stands for.</summary>
    IReadOnlyDictionary<string, string> LayerAliases { get; }
}
