namespace Lucent.Net.Imaging;

/// <summary>
/// The one conversion between float pixel values and 8-bit PNG levels used everywhere in Lucent.Net.Imaging.
/// </summary>
/// <remarks>
/// A value <c>x</c> becomes <c>round(clamp(x, 0, 1) * 255)</c>, rounding halves away from zero; NaN becomes 0.
/// A level <c>b</c> becomes <c>b / 255f</c>, and converting that back gives <c>b</c> again, so PNG round trips are exact.
/// </remarks>
public static class PixelQuantization
{
    /// <summary>Converts a float value to an 8-bit level: <c>round(clamp(value, 0, 1) * 255)</c>, NaN to 0.</summary>
    /// <param name="value">The value, nominally in [0, 1].</param>
    /// <returns>The level, 0 to 255.</returns>
    public static byte ToByte(float value)
    {
        if (float.IsNaN(value) || value <= 0f)
        {
            return 0;
        }

        if (value >= 1f)
        {
            return 255;
        }

        return (byte)MathF.Round(value * 255f, MidpointRounding.AwayFromZero);
    }

    /// <summary>Converts an 8-bit level to a float value: <c>level / 255</c>.</summary>
    /// <param name="level">The level.</param>
    /// <returns>The value in [0, 1].</returns>
    public static float ToFloat(byte level) => level / 255f;
}
