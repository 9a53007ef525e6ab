using Lucent.Net.Declarations;
using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// ImageNet normalisation (Lucent's <c>normalize()</c>): per channel <c>(x - mean) / std</c> with
/// mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225). The renderer's default preprocessing
/// for models that do not provide their own.
/// </summary>
public sealed class ImageNetNormalizeTransform : IDeterministicTransform
{
    /// <summary>ImageNet channel means (RGB).</summary>
    public static readonly IReadOnlyList<double> Mean = [0.485, 0.456, 0.406];

    /// <summary>ImageNet channel standard deviations (RGB).</summary>
    public static readonly IReadOnlyList<double> StandardDeviation = [0.229, 0.224, 0.225];

    /// <summary>Creates the transform.</summary>
    [TextFunction("normalize", "ImageNet normalisation: minus the mean, divided by the standard deviation of each channel (`ImageNetNormalizeTransform`).")]
    public ImageNetNormalizeTransform()
    {
    }

    /// <inheritdoc />
    public string Name => "normalize()";

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context) => Apply(image);

    /// <inheritdoc />
    public Tensor Apply(Tensor image) => InputNormalization.ImageNet.Apply(image);
}

/// <summary>
/// InceptionV1's preprocessing (Lucent's <c>preprocess_inceptionv1()</c>): <c>x * 255 - 117</c>,
/// mapping [0, 1] to [-117, 138].
/// </summary>
public sealed class InceptionV1PreprocessingTransform : IDeterministicTransform
{
    /// <summary>The scale applied first.</summary>
    public const double Scale = 255.0;

    /// <summary>The offset subtracted after scaling.</summary>
    public const double Offset = 117.0;

    /// <summary>Creates the transform.</summary>
    [TextFunction("preprocess_inceptionv1", "InceptionV1's preprocessing, x * 255 - 117 (`InceptionV1PreprocessingTransform`).")]
    public InceptionV1PreprocessingTransform()
    {
    }

    /// <inheritdoc />
    public string Name => "preprocess_inceptionv1()";

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context) => Apply(image);

    /// <inheritdoc />
    public Tensor Apply(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scaled = image * Scale;
        return scaled - Offset;
    }
}

public static partial class Transform
{
    /// <summary>Lucent's <c>normalize()</c> (ImageNet statistics).</summary>
    /// <returns>The transform.</returns>
    public static ImageNetNormalizeTransform Normalize() => new();

    /// <summary>Lucent's <c>preprocess_inceptionv1()</c> (<c>x * 255 - 117</c>).</summary>
    /// <returns>The transform.</returns>
    public static InceptionV1PreprocessingTransform PreprocessInceptionV1() => new();
}

public sealed partial class TransformPipelineBuilder
{
    /// <summary>Appends ImageNet normalisation (<see cref="ImageNetNormalizeTransform"/>).</summary>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Normalize() => Add(Transform.Normalize());
}
