namespace Lucent.Net.ModelZoo.Normalization;

/// <summary>
/// The constants of a local response normalisation across channels:
/// <c>y = x / (Bias + Alpha / Size * sum of x^2 over channels c - Before .. c + After)^Beta</c>, zero beyond the edges.
/// </summary>
/// <param name="Size">Channels in a window.</param>
/// <param name="Alpha">The scale of the sum (divided by <paramref name="Size"/>).</param>
/// <param name="Beta">The exponent.</param>
/// <param name="Bias">The constant added before the power (PyTorch's <c>k</c>).</param>
/// <param name="Before">Channels of a window before its centre; <see cref="After"/> follow it.</param>
internal sealed record LrnSpec(int Size, double Alpha, double Beta, double Bias, int Before)
{
    /// <summary>Channels of a window after its centre.</summary>
    public int After => Size - 1 - Before;

    /// <summary>The window of the transposed band (<see cref="Before"/> and <see cref="After"/> swapped): what the backward pass sums.</summary>
    public LrnSpec Transposed => this with { Before = After };

    /// <summary>The weight of one squared channel in a window: <c>Alpha / Size</c>.</summary>
    public double Scale => Alpha / Size;

    /// <summary>PyTorch's <c>local_response_norm</c> (what Lucent calls): <c>Size / 2</c> channels before the centre, <c>(Size - 1) / 2</c> after.</summary>
    public static LrnSpec PyTorch(int size, double alpha, double beta, double k) => new(size, alpha, beta, k, size / 2);

    /// <summary>ONNX <c>LRN</c>: <c>floor((Size - 1) / 2)</c> channels before the centre, <c>ceil((Size - 1) / 2)</c> after.</summary>
    public static LrnSpec Onnx(int size, double alpha, double beta, double bias) => new(size, alpha, beta, bias, (size - 1) / 2);
}
