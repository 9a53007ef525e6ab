using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// Lucid's colour decorrelation: the optimiser works in a decorrelated colour space and each pixel's
/// 3-vector v becomes <c>M v</c>, where M is the square root of ImageNet's colour correlation
/// <c>C = [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]]</c> divided by its largest column
/// norm (Lucent's <c>_linear_decorrelate_color</c>: <c>pixels @ M^T</c>). No colour mean is added.
/// </summary>
public static class ColorDecorrelation
{
    private static readonly float[,] SquareRoot =
    {
        { 0.26f, 0.09f, 0.02f },
        { 0.27f, 0.00f, -0.05f },
        { 0.27f, -0.09f, 0.03f },
    };

    private static readonly float MaxNorm = ComputeMaxColumnNorm();

    private static readonly float[,] Normalized = ComputeNormalized();

    /// <summary>The largest column norm of C (about 0.46195), in float32 as Lucent computes it.</summary>
    public static float MaxColumnNorm => MaxNorm;

    /// <summary>The matrix C (float32, as in Lucent).</summary>
    /// <returns>A new 3x3 array.</returns>
    public static float[,] GetCorrelationSquareRoot() => (float[,])SquareRoot.Clone();

    /// <summary>M = C / <see cref="MaxColumnNorm"/> (float32).</summary>
    /// <returns>A new 3x3 array.</returns>
    public static float[,] GetNormalizedMatrix() => (float[,])Normalized.Clone();

    /// <summary>Maps each pixel's colour vector v to <c>M v</c>.</summary>
    /// <param name="image">Images laid out (batch, 3, height, width).</param>
    /// <returns>A new tensor of the same shape; the caller owns it. Differentiable.</returns>
    /// <exception cref="ArgumentException">The tensor is not (batch, 3, height, width).</exception>
    public static Tensor Decorrelate(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 4 || image.shape[1] != 3)
        {
            throw new ArgumentException($"Colour decorrelation needs RGB images laid out (batch, 3, height, width); got shape [{string.Join(", ", image.shape)}]. Use a custom channel count without decorrelation for other images.", nameof(image));
        }

        using var scope = torch.NewDisposeScope();
        var matrix = torch.tensor(Normalized, dtype: ScalarType.Float32).to(image.dtype, image.device);
        var pixels = image.permute(0, 2, 3, 1);
        var mixed = torch.matmul(pixels, matrix.t());
        return mixed.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    /// <summary>The inverse of <see cref="Decorrelate"/>: each pixel's colour vector u becomes <c>M⁻¹ u</c>.</summary>
    /// <param name="image">Images laid out (batch, 3, height, width).</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    internal static Tensor Undo(Tensor image)
    {
        using var scope = torch.NewDisposeScope();
        var matrix = torch.tensor(Normalized, dtype: ScalarType.Float32).to_type(ScalarType.Float64);
        var inverse = torch.linalg.inv(matrix).to(image.dtype, image.device);
        var pixels = image.permute(0, 2, 3, 1);
        var unmixed = torch.matmul(pixels, inverse.t());
        return unmixed.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    private static float ComputeMaxColumnNorm()
    {
        float max = 0f;
        for (int column = 0; column < 3; column++)
        {
            float sum = 0f;
            for (int row = 0; row < 3; row++)
            {
                sum += SquareRoot[row, column] * SquareRoot[row, column];
            }

            max = Math.Max(max, MathF.Sqrt(sum));
        }

        return max;
    }

    private static float[,] ComputeNormalized()
    {
        var normalized = new float[3, 3];
        for (int row = 0; row < 3; row++)
        {
            for (int column = 0; column < 3; column++)
            {
                normalized[row, column] = SquareRoot[row, column] / MaxNorm;
            }
        }

        return normalized;
    }
}
