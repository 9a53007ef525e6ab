using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// A transform that draws nothing at random (pad, resize, normalisation, preprocessing), so it can be
/// applied to an image without a render's <see cref="TransformContext"/>: <c>new PadTransform(12).Apply(image)</c>.
/// </summary>
public interface IDeterministicTransform : IImageTransform
{
    /// <summary>Applies the transform.</summary>
    /// <param name="image">Images laid out (batch, channels, height, width).</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    Tensor Apply(Tensor image);
}
