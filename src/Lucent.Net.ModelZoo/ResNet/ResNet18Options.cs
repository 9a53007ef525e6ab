namespace Lucent.Net.ModelZoo.ResNet;

/// <summary>Options for <see cref="PretrainedResNet18.Load(ResNet18Options?)"/>.</summary>
public sealed class ResNet18Options
{
    /// <summary>
    /// Path of <c>ResNet18.onnx</c>; <c>null</c> searches the application folder, then the NuGet
    /// package cache (see <see cref="PretrainedResNet18.FindModelFile(string?)"/>).
    /// </summary>
    public string? ModelPath { get; set; }

    /// <summary>
    /// Whether ReLUs use Lucid's redirected ReLU in the backward pass (forward unchanged).
    /// Default <c>true</c>, so that channels that start at zero can still be visualised.
    /// </summary>
    public bool UseRedirectedRelu { get; set; } = true;

    /// <summary>
    /// Whether the network runs on channels-last (NHWC) activations (see
    /// <see cref="Lucent.Net.ModelZoo.Onnx.OnnxImportOptions.UseChannelsLast"/>). Default <c>false</c>:
    /// for this graph (separate batch-norm nodes) it measured no faster on CPU (1.01x, benchmarks
    /// <c>resnet</c> command); values equal the channels-first network's up to float rounding.
    /// </summary>
    public bool UseChannelsLast { get; set; }

    /// <summary>
    /// The preprocessing the model reports through
    /// <see cref="Lucent.Net.Transforms.IPreprocessingProvider"/>; <c>null</c> uses
    /// <see cref="PretrainedResNet18.DefaultPreprocessing"/>.
    /// </summary>
    public ResNetPreprocessing? Preprocessing { get; set; }
}
