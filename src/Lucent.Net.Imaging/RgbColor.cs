namespace Lucent.Net.Imaging;

/// <summary>An 8-bit RGB colour used for backgrounds and text in composed figures.</summary>
/// <param name="R">Red, 0 to 255.</param>
/// <param name="G">Green, 0 to 255.</param>
/// <param name="B">Blue, 0 to 255.</param>
public readonly record struct RgbColor(byte R, byte G, byte B)
{
    /// <summary>White (255, 255, 255).</summary>
    public static RgbColor White => new(255, 255, 255);

    /// <summary>Black (0, 0, 0).</summary>
    public static RgbColor Black => new(0, 0, 0);

    /// <summary>Red (255, 0, 0), used to mark differing pixels in snapshot diffs.</summary>
    public static RgbColor Red => new(255, 0, 0);
}
