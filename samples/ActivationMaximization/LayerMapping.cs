namespace ActivationMaximization;

/// <summary>The models the app can render.</summary>
public enum ModelKind
{
    /// <summary>Lucent's InceptionV1 (GoogLeNet, "inception5h") with its pretrained weights: the tutorial's model.</summary>
    InceptionV1,

    /// <summary>The ImageNet-trained ResNet-18 that installs with NuGet (offline fallback).</summary>
    ResNet18,
}

/// <summary>One tutorial layer and the layer that stands for it in another model.</summary>
/// <param name="TutorialLayer">The InceptionV1 layer the tutorial uses.</param>
/// <param name="ModelLayer">The layer rendered instead.</param>
/// <param name="Reason">Why this layer was chosen.</param>
public sealed record LayerMap(string TutorialLayer, string ModelLayer, string Reason);

/// <summary>
/// Maps the tutorial's InceptionV1 layers to the layers of the model actually used. For InceptionV1 it is the
/// identity. For ResNet-18 each tutorial layer maps to the residual stage with the same spatial resolution at a
/// 224x224 input, which is also the same relative depth (early, middle, later middle, late):
/// conv2d2 (56x56) to layer1, mixed3a (28x28) to layer2, mixed4a (14x14) to layer3, mixed5a (7x7) to layer4.
/// </summary>
public static class LayerMapping
{
    /// <summary>The tutorial's layers, in the order of part 4 (early to late).</summary>
    public static IReadOnlyList<string> TutorialLayers { get; } = ["conv2d2", "mixed3a", "mixed4a", "mixed5a"];

    /// <summary>The ResNet-18 mapping.</summary>
    public static IReadOnlyList<LayerMap> ResNet18 { get; } =
    [
        new("conv2d2", "layer1", "56x56 at a 224x224 input, like conv2d2: the last layer before the first downsampling of the body (64 channels; conv2d2 has 192)."),
        new("mixed3a", "layer2", "28x28, like mixed3a: the first stage after one more downsampling (128 channels; mixed3a has 256)."),
        new("mixed4a", "layer3", "14x14, like mixed4a: the middle-late stage of textures and object parts (256 channels; mixed4a has 508)."),
        new("mixed5a", "layer4", "7x7, like mixed5a: the last stage before pooling (512 channels; mixed5a has 832)."),
    ];

    /// <summary>The mapping for <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <returns>One entry per tutorial layer.</returns>
    public static IReadOnlyList<LayerMap> For(ModelKind model) => model switch
    {
        ModelKind.InceptionV1 => TutorialLayers.Select(l => new LayerMap(l, l, "the tutorial's own layer")).ToArray(),
        ModelKind.ResNet18 => ResNet18,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown model."),
    };

    /// <summary>The layer of <paramref name="model"/> that stands for the tutorial's <paramref name="tutorialLayer"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tutorialLayer">An InceptionV1 layer of the tutorial (conv2d2, mixed3a, mixed4a, mixed5a).</param>
    /// <returns>The layer name to render.</returns>
    /// <exception cref="ArgumentException">The layer is not one the tutorial uses.</exception>
    public static string Map(ModelKind model, string tutorialLayer)
    {
        ArgumentNullException.ThrowIfNull(tutorialLayer);
        return For(model).FirstOrDefault(m => string.Equals(m.TutorialLayer, tutorialLayer, StringComparison.Ordinal))?.ModelLayer
            ?? throw new ArgumentException(
                $"'{tutorialLayer}' is not one of the tutorial's layers ({string.Join(", ", TutorialLayers)}).", nameof(tutorialLayer));
    }
}
