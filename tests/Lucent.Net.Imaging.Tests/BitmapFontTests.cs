namespace Lucent.Net.Imaging.Tests;

public class BitmapFontTests
{
    [Fact]
    public void Every_printable_character_except_space_has_ink_and_space_has_none()
    {
        for (char c = ' '; c <= '~'; c++)
        {
            int ink = 0;
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
            {
                for (int column = 0; column < BitmapFont.GlyphWidth; column++)
                {
                    ink += BitmapFont.IsSet(c, column, row) ? 1 : 0;
                }
            }

            if (c == ' ')
            {
                ink.Should().Be(0);
            }
            else
            {
                ink.Should().BeGreaterThan(0, $"'{c}' needs a visible glyph");
            }
        }
    }

    [Fact]
    public void Glyphs_are_distinct()
    {
        var seen = new Dictionary<string, char>();
        for (char c = '!'; c <= '~'; c++)
        {
            string key = string.Concat(Enumerable.Range(0, 35).Select(i => BitmapFont.IsSet(c, i % 5, i / 5) ? '#' : '.'));
            seen.Should().NotContainKey(key, $"'{c}' must not look like another character");
            seen[key] = c;
        }
    }

    [Fact]
    public void Letter_shapes_are_as_designed()
    {
        // 'T': full top row, then the middle column only.
        Enumerable.Range(0, 5).Should().OnlyContain(column => BitmapFont.IsSet('T', column, 0));
        Enumerable.Range(1, 6).Should().OnlyContain(row => BitmapFont.IsSet('T', 2, row) && !BitmapFont.IsSet('T', 0, row));
        // 'L': left column and the full bottom row.
        Enumerable.Range(0, 7).Should().OnlyContain(row => BitmapFont.IsSet('L', 0, row));
        Enumerable.Range(0, 5).Should().OnlyContain(column => BitmapFont.IsSet('L', column, 6));
    }

    [Fact]
    public void DrawText_renders_ink_pixels_scaled_inside_the_measured_box()
    {
        const int width = 80, height = 20, scale = 2;
        var pixels = new float[width * height * 3];
        Array.Fill(pixels, 1f);

        int inked = BitmapFont.DrawText(pixels, width, height, 3, "Hi 7", 3, 2, scale, RgbColor.Black);

        int measured = BitmapFont.MeasureWidth("Hi 7", scale);
        measured.Should().Be(((4 * 6) - 1) * 2);
        int black = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if (pixels[((y * width) + x) * 3] == 0f)
                {
                    black++;
                    x.Should().BeInRange(3, 3 + measured - 1);
                    y.Should().BeInRange(2, 2 + BitmapFont.MeasureHeight(1, scale) - 1);
                }
            }
        }

        black.Should().Be(inked);
        int glyphInk = "Hi 7".Sum(c => Enumerable.Range(0, 35).Count(i => BitmapFont.IsSet(c, i % 5, i / 5)));
        inked.Should().Be(glyphInk * scale * scale);
    }

    [Fact]
    public void DrawText_clips_at_the_edges_and_maps_unknown_characters_to_question_mark()
    {
        var pixels = new float[10 * 10];
        int inked = BitmapFont.DrawText(pixels, 10, 10, 1, "\u00e9", -2, -3, 1, RgbColor.White);
        inked.Should().BeGreaterThan(0);
        pixels.Count(v => v == 1f).Should().Be(inked);

        var reference = new float[10 * 10];
        BitmapFont.DrawText(reference, 10, 10, 1, "?", -2, -3, 1, RgbColor.White);
        pixels.Should().Equal(reference);
    }

    [Fact]
    public void Wrap_breaks_at_spaces_and_inside_overlong_words()
    {
        // 30 px at scale 1 fits (30 + 1) / 6 = 5 characters.
        BitmapFont.Wrap("ab cd efghijklm", 1, 30).Should().Equal("ab cd", "efghi", "jklm");
        BitmapFont.Wrap("one\ntwo", 1, 100).Should().Equal("one", "two");
        BitmapFont.Wrap("abc", 2, 1).Should().Equal("a", "b", "c");
    }
}
