namespace Lucent.Net.ModelZoo.Gan;

/// <summary>Options of an <see cref="UpconvGenerator"/>.</summary>
public sealed record UpconvGeneratorOptions
{
    /// <summary>
    /// A seed for the initial (random) weights, drawn with PyTorch's default ranges by
    /// <c>SeededInitialization.Reinitialize</c>; null leaves TorchSharp's default initialisation from its global
    /// generator. Pretrained weights replace them either way.
    /// </summary>
    public long? InitializationSeed { get; init; }
}
