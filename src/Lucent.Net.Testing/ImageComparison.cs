namespace Lucent.Net.Testing;

/// <summary>The result of comparing two images of the same size with <see cref="ImageSnapshot.Compare"/>.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Tolerance">Per-channel tolerance in 8-bit levels that was applied.</param>
/// <param name="DifferingPixels">Pixels with a channel differing by more than the tolerance.</param>
/// <param name="MaxChannelDifference">Largest absolute channel difference in 8-bit levels, over all pixels.</param>
/// <param name="MaxDifferenceX">Column of the first pixel with the largest difference.</param>
/// <param name="MaxDifferenceY">Row of the first pixel with the largest difference.</param>
public sealed record ImageComparison(
    int Width,
    int Height,
    int Tolerance,
    long DifferingPixels,
    int MaxChannelDifference,
    int MaxDifferenceX,
    int MaxDifferenceY)
{
    /// <summary>Differing pixels as a fraction of all pixels.</summary>
    public double DifferingPixelFraction => DifferingPixels / ((double)Width * Height);
}
