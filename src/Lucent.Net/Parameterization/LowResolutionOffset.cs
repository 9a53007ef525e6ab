namespace Lucent.Net.Parameterization;

/// <summary>One entry of Lucent's low-resolution offset list: a pixel count, <c>False</c> (<see cref="None"/>) or <c>True</c> (<see cref="HalfRatio"/>).</summary>
public readonly record struct LowResolutionOffset
{
    private LowResolutionOffset(int pixelCount, bool isHalfRatio)
    {
        PixelCount = pixelCount;
        IsHalfRatio = isHalfRatio;
    }

    /// <summary>No shift (Lucent's <c>False</c> or 0).</summary>
    public static LowResolutionOffset None => default;

    /// <summary>Half the ratio of the shapes at this entry (Lucent's <c>True</c>).</summary>
    public static LowResolutionOffset HalfRatio => new(0, true);

    /// <summary>The shift in pixels (0 for <see cref="None"/> and <see cref="HalfRatio"/>, which is worked out from the shapes).</summary>
    public int PixelCount { get; }

    /// <summary>Whether this entry is <see cref="HalfRatio"/>.</summary>
    public bool IsHalfRatio { get; }

    /// <summary>A shift of <paramref name="pixels"/> pixels.</summary>
    /// <param name="pixels">0 or more.</param>
    /// <returns>The entry.</returns>
    public static LowResolutionOffset Pixels(int pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pixels);
        return new(pixels, false);
    }
}
