namespace Lucent.Net.Imaging;

/// <summary>
/// A tiny bitmap font of 5x7-pixel glyphs for printable ASCII (32 to 126), drawn at integer scales.
/// Used to label grids and figures without any font library. Characters outside printable ASCII
/// are drawn as '?'.
/// </summary>
/// <remarks>
/// Each glyph occupies a cell of <see cref="GlyphWidth"/> + 1 by <see cref="GlyphHeight"/> + 1
/// pixels (one column of spacing on the right, one row of spacing below), times the scale.
/// </remarks>
public static class BitmapFont
{
    /// <summary>Width of a glyph in font pixels (before scaling).</summary>
    public const int GlyphWidth = 5;

    /// <summary>Height of a glyph in font pixels (before scaling).</summary>
    public const int GlyphHeight = 7;

    /// <summary>Horizontal advance per character in font pixels (glyph plus one column of spacing).</summary>
    public const int Advance = GlyphWidth + 1;

    /// <summary>Vertical advance per line in font pixels (glyph plus one row of spacing).</summary>
    public const int LineAdvance = GlyphHeight + 1;

    private const int FirstChar = 32;
    private const int LastChar = 126;

    // One value per glyph for ASCII 32..126: 35 bits, row-major from the top-left pixel,
    // the top-left pixel in bit 34 and the bottom-right pixel in bit 0.
    private static readonly ulong[] Glyphs =
    [
        0x000000000UL, 0x108421004UL, 0x294A00000UL, 0x295F57D4AUL, 0x11F4717C4UL, 0x632222263UL, // ' !"#$%'
        0x32544564DUL, 0x108800000UL, 0x088842082UL, 0x208210888UL, 0x009575480UL, 0x0084F9080UL, // "&'()*+"
        0x000003088UL, 0x0000F8000UL, 0x00000018CUL, 0x002222200UL, 0x3A33AE62EUL, 0x11842108EUL, // ',-./01'
        0x3A211111FUL, 0x7C441062EUL, 0x08CA97C42UL, 0x7E1E0862EUL, 0x1910F462EUL, 0x7C2222108UL, // '234567'
        0x3A317462EUL, 0x3A317844CUL, 0x018C03180UL, 0x018C03088UL, 0x088882082UL, 0x001F07C00UL, // '89:;<='
        0x208208888UL, 0x3A2111004UL, 0x3A216D6AEUL, 0x3A31FC631UL, 0x7A31F463EUL, 0x3A308422EUL, // '>?@ABC'
        0x72518C65CUL, 0x7E10F421FUL, 0x7E10F4210UL, 0x3A30BC62FUL, 0x4631FC631UL, 0x38842108EUL, // 'DEFGHI'
        0x1C4210A4CUL, 0x4654C5251UL, 0x42108421FUL, 0x4775AC631UL, 0x4639ACE31UL, 0x3A318C62EUL, // 'JKLMNO'
        0x7A31F4210UL, 0x3A318D64DUL, 0x7A31F5251UL, 0x3E107043EUL, 0x7C8421084UL, 0x46318C62EUL, // 'PQRSTU'
        0x46318C544UL, 0x4631AD6AAUL, 0x462A22A31UL, 0x462A21084UL, 0x7C222221FUL, 0x39084210EUL, // 'VWXYZ['
        0x020820820UL, 0x38421084EUL, 0x115100000UL, 0x00000001FUL, 0x208200000UL, 0x000E0BE2FUL, // '\\]^_`a'
        0x4216CC63EUL, 0x000E8422EUL, 0x042D9C62FUL, 0x000E8FE0EUL, 0x1928E2108UL, 0x01F18BC2EUL, // 'bcdefg'
        0x4216CC631UL, 0x100C2108EUL, 0x080610A4CUL, 0x4212A6292UL, 0x30842108EUL, 0x001AAD631UL, // 'hijklm'
        0x0016CC631UL, 0x000E8C62EUL, 0x001E8FA10UL, 0x000D9BC21UL, 0x0016CC210UL, 0x000E8383EUL, // 'nopqrs'
        0x211C42126UL, 0x00118C66DUL, 0x00118C544UL, 0x00118D6AAUL, 0x001151151UL, 0x00118BC2EUL, // 'tuvwxy'
        0x001F1111FUL, 0x088441082UL, 0x108421084UL, 0x208411088UL, 0x0008A8800UL, // 'z{|}~'
    ];

    /// <summary>Whether the pixel (<paramref name="column"/>, <paramref name="row"/>) of the glyph for <paramref name="character"/> is set.</summary>
    /// <param name="character">The character; outside printable ASCII the glyph of '?' is used.</param>
    /// <param name="column">Column in 0..4.</param>
    /// <param name="row">Row in 0..6.</param>
    /// <returns><see langword="true"/> where the glyph has ink.</returns>
    public static bool IsSet(char character, int column, int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, GlyphWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, GlyphHeight);
        ulong bits = GlyphBits(character);
        int bit = (GlyphWidth * GlyphHeight) - 1 - ((row * GlyphWidth) + column);
        return ((bits >> bit) & 1UL) != 0;
    }

    /// <summary>The width in pixels of one line of <paramref name="text"/> at <paramref name="scale"/>, without trailing spacing.</summary>
    /// <param name="text">One line of text.</param>
    /// <param name="scale">Integer scale factor, at least 1.</param>
    /// <returns>The width in pixels; 0 for empty text.</returns>
    public static int MeasureWidth(string text, int scale)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        return text.Length == 0 ? 0 : ((text.Length * Advance) - 1) * scale;
    }

    /// <summary>The height in pixels of <paramref name="lines"/> lines of text at <paramref name="scale"/>, without trailing spacing.</summary>
    /// <param name="lines">Number of lines.</param>
    /// <param name="scale">Integer scale factor, at least 1.</param>
    /// <returns>The height in pixels; 0 for no lines.</returns>
    public static int MeasureHeight(int lines, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lines);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        return lines == 0 ? 0 : ((lines * LineAdvance) - 1) * scale;
    }

    /// <summary>
    /// Splits <paramref name="text"/> into lines no wider than <paramref name="maxWidth"/> pixels at
    /// <paramref name="scale"/>: breaks at spaces where possible, inside words where a word is too long,
    /// and at every '\n'.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="scale">Integer scale factor, at least 1.</param>
    /// <param name="maxWidth">Available width in pixels; at least one character always fits per line.</param>
    /// <returns>The lines, none empty except where the text has empty lines.</returns>
    public static IReadOnlyList<string> Wrap(string text, int scale, int maxWidth)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        int maxChars = Math.Max(1, ((maxWidth / scale) + 1) / Advance);
        var lines = new List<string>();
        foreach (string paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            string rest = paragraph.Trim();
            if (rest.Length == 0)
            {
                lines.Add(string.Empty);
                continue;
            }

            while (rest.Length > maxChars)
            {
                int cut = rest.LastIndexOf(' ', maxChars);
                if (cut <= 0)
                {
                    lines.Add(rest[..maxChars]);
                    rest = rest[maxChars..].TrimStart();
                }
                else
                {
                    lines.Add(rest[..cut].TrimEnd());
                    rest = rest[(cut + 1)..].TrimStart();
                }
            }

            if (rest.Length > 0)
            {
                lines.Add(rest);
            }
        }

        return lines;
    }

    /// <summary>
    /// Draws one line of <paramref name="text"/> into an interleaved float image (height, width, channels)
    /// with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>); pixels outside the image are skipped.
    /// </summary>
    /// <param name="pixels">Values laid out (height, width, channels).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="channels">Channels per pixel; the first min(3, channels) take the colour.</param>
    /// <param name="text">One line of text.</param>
    /// <param name="x">Left edge in pixels.</param>
    /// <param name="y">Top edge in pixels.</param>
    /// <param name="scale">Integer scale factor, at least 1.</param>
    /// <param name="color">Ink colour.</param>
    /// <returns>The number of pixels that were inked.</returns>
    public static int DrawText(float[] pixels, int width, int height, int channels, string text, int x, int y, int scale, RgbColor color)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (pixels.LongLength != (long)width * height * channels)
        {
            throw new ArgumentException($"Expected {(long)width * height * channels} values for {height}x{width}x{channels}, got {pixels.LongLength}.", nameof(pixels));
        }

        Span<float> ink = [color.R / 255f, color.G / 255f, color.B / 255f];
        int inked = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int left = x + (i * Advance * scale);
            ulong bits = GlyphBits(text[i]);
            for (int row = 0; row < GlyphHeight; row++)
            {
                for (int column = 0; column < GlyphWidth; column++)
                {
                    int bit = (GlyphWidth * GlyphHeight) - 1 - ((row * GlyphWidth) + column);
                    if (((bits >> bit) & 1UL) == 0)
                    {
                        continue;
                    }

                    for (int dy = 0; dy < scale; dy++)
                    {
                        int py = y + (row * scale) + dy;
                        if (py < 0 || py >= height)
                        {
                            continue;
                        }

                        for (int dx = 0; dx < scale; dx++)
                        {
                            int px = left + (column * scale) + dx;
                            if (px < 0 || px >= width)
                            {
                                continue;
                            }

                            long offset = (((long)py * width) + px) * channels;
                            if (channels < 3)
                            {
                                float grey = (0.299f * ink[0]) + (0.587f * ink[1]) + (0.114f * ink[2]);
                                for (int c = 0; c < channels; c++)
                                {
                                    pixels[offset + c] = grey;
                                }
                            }
                            else
                            {
                                pixels[offset] = ink[0];
                                pixels[offset + 1] = ink[1];
                                pixels[offset + 2] = ink[2];
                            }

                            inked++;
                        }
                    }
                }
            }
        }

        return inked;
    }

    private static ulong GlyphBits(char character)
    {
        int code = character is >= (char)FirstChar and <= (char)LastChar ? character : '?';
        return Glyphs[code - FirstChar];
    }
}
