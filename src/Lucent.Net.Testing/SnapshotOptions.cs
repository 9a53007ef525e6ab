using Lucent.Net.Imaging;

namespace Lucent.Net.Testing;

/// <summary>How strictly <see cref="ImageSnapshot.Match(Lucent.Net.Images.ImageBatch, string, SnapshotOptions?)"/> compares with the baseline.</summary>
public sealed class SnapshotOptions
{
    /// <summary>
    /// Largest accepted absolute difference per channel, in 8-bit levels (0 to 255; default 0: exact).
    /// A pixel differs when any of its channels differs by more than this.
    /// </summary>
    public int Tolerance { get; init; }

    /// <summary>Largest accepted fraction of differing pixels, in [0, 1] (default 0: none may differ).</summary>
    public double MaxDifferingPixelFraction { get; init; }

    /// <summary>
    /// Whether to write the received image as the new baseline and pass. <see langword="null"/> (default) reads the
    /// environment variable <see cref="ImageSnapshot.AcceptEnvironmentVariable"/> (<c>LUCENT_ACCEPT_SNAPSHOTS=1</c>).
    /// </summary>
    public bool? AcceptNewBaselines { get; init; }

    /// <summary>Limits for decoding the baseline PNG (and PNG input); <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</summary>
    public ImageDecodeLimits? DecodeLimits { get; init; }

    internal void Validate()
    {
        if (Tolerance is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance is in 8-bit levels and must be in [0, 255].");
        }

        if (double.IsNaN(MaxDifferingPixelFraction) || MaxDifferingPixelFraction is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxDifferingPixelFraction), MaxDifferingPixelFraction, "MaxDifferingPixelFraction is a fraction and must be in [0, 1].");
        }
    }
}
