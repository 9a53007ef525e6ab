namespace Lucent.Net.Transforms;

/// <summary>
/// A transform whose output can be larger or smaller than its input (pad, resize, random scale), and that says how
/// large at most, so that a pipeline's largest image can be known before anything is allocated
/// (<see cref="TransformPipeline.LargestImageSize"/>). Transforms that do not implement it are taken to keep the size.
/// </summary>
public interface IResizingTransform : IImageTransform
{
    /// <summary>The largest height and width the transform can output for images of <paramref name="height"/> x <paramref name="width"/>.</summary>
    /// <param name="height">The input height in pixels.</param>
    /// <param name="width">The input width in pixels.</param>
    /// <returns>The largest output height and the largest output width (over every random draw).</returns>
    (long Height, long Width) MaxOutputSize(long height, long width);
}
