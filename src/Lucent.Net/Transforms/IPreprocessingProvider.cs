namespace Lucent.Net.Transforms;

/// <summary>
/// Implemented by models that know how their inputs must be preprocessed (e.g. InceptionV1's
/// <c>x*255-117</c>). The renderer appends this transform after the user's transforms unless told
/// otherwise; models without it get ImageNet normalisation, as in Lucent.
/// </summary>
public interface IPreprocessingProvider
{
    /// <summary>The transform from images in [0, 1] to the model's input range.</summary>
    IImageTransform Preprocessing { get; }
}
