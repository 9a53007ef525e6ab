namespace Lucent.Net.Activations;

/// <summary>
/// How Lucent.Net reads a token layer, the output of a transformer block laid out (batch, tokens,
/// features): which token is the class token and which patch token is the centre one. Known from the
/// shape alone: a layer with <c>s² + 1</c> tokens (ViT-B/16 at 224 px: 197 = 14² + 1) is taken to hold a
/// class token at index 0 followed by an s x s grid of patch tokens in row-major order, as ViT and
/// DeiT do; any other count is taken as patch tokens only. Objectives take <c>tokens=all|patch|cls</c>
/// to override this.
/// </summary>
public static class TokenLayers
{
    /// <summary>Whether a layer of <paramref name="tokenCount"/> tokens is read as a class token (index 0) followed by a square grid of patch tokens.</summary>
    /// <param name="tokenCount">The size of the tokens axis.</param>
    /// <returns>True when <paramref name="tokenCount"/> is <c>s² + 1</c> for some s of at least 1.</returns>
    public static bool HasClassToken(long tokenCount) => tokenCount >= 2 && IsSquare(tokenCount - 1);

    /// <summary>
    /// The token a token-layer <c>neuron</c> reads by default: the centre of the patch grid (row
    /// <c>s / 2</c>, column <c>s / 2</c> of an s x s grid, as for a convolutional layer), counting the class
    /// token when there is one; the middle token when the patch tokens do not form a square.
    /// </summary>
    /// <param name="tokenCount">The size of the tokens axis, at least 1.</param>
    /// <returns>The index on the tokens axis.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokenCount"/> is below 1.</exception>
    public static long CentreToken(long tokenCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenCount, 1);
        long first = HasClassToken(tokenCount) ? 1 : 0;
        long patches = tokenCount - first;
        long side = SquareRoot(patches);
        return side * side == patches ? first + ((side / 2) * side) + (side / 2) : first + (patches / 2);
    }

    /// <summary>Describes a layer's output for listings: <c>196 tokens x 768 features (token 0: class token)</c> for a token layer, else null.</summary>
    /// <param name="shape">The output shape, batch first.</param>
    /// <returns>The description, or null when the shape is not (batch, tokens, features).</returns>
    public static string? Describe(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count != 3)
        {
            return null;
        }

        string text = FormattableString.Invariant($"{shape[1]} tokens x {shape[2]} features");
        return HasClassToken(shape[1]) ? text + " (token 0: class token)" : text;
    }

    private static bool IsSquare(long n)
    {
        long root = SquareRoot(n);
        return root * root == n;
    }

    private static long SquareRoot(long n)
    {
        if (n <= 0)
        {
            return 0;
        }

        long root = (long)Math.Sqrt(n);
        while (root * root > n)
        {
            root--;
        }

        while ((root + 1) * (root + 1) <= n)
        {
            root++;
        }

        return root;
    }
}
