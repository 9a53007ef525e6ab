using Lucent.Net.Activations;

namespace Lucent.Net.ModelZoo.Labels;

/// <summary>
/// The ImageNet class names Lucent ships (<c>lucent/modelzoo/misc/*.txt</c>, Apache 2.0), as
/// <see cref="ClassLabels"/>: one list in InceptionV1's output order and one in torchvision's.
/// </summary>
public static class ImageNetLabels
{
    private static readonly Lazy<ClassLabels> InceptionV1Labels = new(() => Load(
        "inceptionv1-labels.txt", firstIndex: 1, global::Lucent.Net.ModelZoo.InceptionV1.InceptionV1Layers.ClassCount, "InceptionV1's ImageNet labels (Lucent's old_imagenet_labels.txt)"));

    private static readonly Lazy<ClassLabels> TorchVisionLabels = new(() => Load(
        "torchvision-imagenet-labels.txt", firstIndex: 0, 1000, "torchvision's ImageNet labels (Lucent's imagenet_labels.txt)"));

    /// <summary>
    /// InceptionV1's 1008 outputs (Lucid's inception5h): output <c>i</c> for <c>i</c> in 1..1000 is line <c>i</c>
    /// of Lucent's <c>old_imagenet_labels.txt</c> (ILSVRC-2012 synset order, e.g. 1 kit fox, 174 tabby);
    /// outputs 0 and 1001..1007 have no class.
    /// </summary>
    public static ClassLabels InceptionV1 => InceptionV1Labels.Value;

    /// <summary>
    /// The 1000 outputs of torchvision's ImageNet classifiers (Lucent's <c>imagenet_labels.txt</c>, e.g. 0 tench,
    /// 281 tabby). The pretrained ResNet-18 from NuGet has no classifier, so it has no labels; use this list
    /// for a torchvision-ordered model loaded from ONNX or a checkpoint.
    /// </summary>
    public static ClassLabels TorchVision => TorchVisionLabels.Value;

    private static ClassLabels Load(string file, int firstIndex, int count, string source)
    {
        var assembly = typeof(ImageNetLabels).Assembly;
        string resource = $"Lucent.Net.ModelZoo.Labels.{file}";
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded label list '{resource}' is missing from {assembly.GetName().Name}; the package is damaged.");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return ClassLabels.FromLines(lines, firstIndex, count, source);
    }
}
