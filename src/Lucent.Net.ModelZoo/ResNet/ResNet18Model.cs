using Lucent.Net.ModelZoo.Onnx;
using Lucent.Net.Transforms;
using Onnx;

namespace Lucent.Net.ModelZoo.ResNet;

/// <summary>
/// The pretrained ResNet-18 (ImageNet, CNTK export shipped by NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>) as an <see cref="OnnxGraphModule"/>: every
/// node is hookable, torchvision-style aliases (<c>conv1</c>, <c>layer1</c>..<c>layer4</c>,
/// <c>layer3_1</c>, <c>avgpool</c>, ...) name the usual layers, and the model reports its
/// preprocessing. Input (batch, 3, H, W) preprocessed; output (batch, 512, H/32 - 6, W/32 - 6) after
/// the 7x7 average pool ((batch, 512, 1, 1) at 224x224). There is no classifier.
/// </summary>
public sealed class ResNet18Model : OnnxGraphModule, IPreprocessingProvider
{
    internal ResNet18Model(ModelProto model, OnnxImportOptions options, ResNetPreprocessing preprocessing, string modelPath)
        : base(model, options)
    {
        Preprocessing = preprocessing;
        ModelPath = modelPath;
        foreach (var (alias, layer) in ResNetStructure.FindAliases(Nodes, expectedStages: 4))
        {
            AddAlias(alias, layer);
        }
    }

    /// <summary>The preprocessing from images in [0, 1] to this model's input.</summary>
    public IImageTransform Preprocessing { get; }

    /// <summary>The file the model was loaded from.</summary>
    public string ModelPath { get; }
}
