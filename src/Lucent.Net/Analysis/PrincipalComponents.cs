using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Analysis;

/// <summary>
/// PCA as scikit-learn's <c>PCA</c> with its exact ("full") solver and <c>whiten=False</c>: the
/// centred data's thin SVD, signs fixed by <see cref="FlipSigns"/>. Float64 on the CPU.
/// </summary>
internal static class PrincipalComponents
{
    /// <summary>The fitted quantities; the caller owns the tensors.</summary>
    internal sealed record Fit(Tensor Mean, Tensor Components, double[] SingularValues, double[] ExplainedVariance, double[] ExplainedVarianceRatio);

    /// <summary>Fits <paramref name="components"/> principal components of <paramref name="x"/> (rows x channels).</summary>
    public static Fit Compute(Tensor x, int components)
    {
        using var scope = torch.NewDisposeScope();
        long rows = x.shape[0];
        var mean = x.mean(new long[] { 0 });
        var centred = x.sub(mean);
        var (u, s, vh) = torch.linalg.svd(centred, fullMatrices: false);
        FlipSigns(u, vh);
        double[] singular = s.data<double>().ToArray();
        double denominator = Math.Max(rows - 1, 1);
        double[] variance = singular.Select(v => v * v / denominator).ToArray();
        double total = variance.Sum();
        double[] ratio = variance.Select(v => total > 0 ? v / total : 0).ToArray();
        var kept = vh.narrow(0, 0, components).contiguous();
        return new Fit(
            mean.MoveToOuterDisposeScope(),
            kept.MoveToOuterDisposeScope(),
            singular.Take(components).ToArray(),
            variance.Take(components).ToArray(),
            ratio.Take(components).ToArray());
    }

    /// <summary>
    /// scikit-learn's <c>svd_flip</c> as its PCA calls it up to version 1.4 (pinned against 1.2.1,
    /// <c>u_based_decision=True</c>): each left singular vector (column of <paramref name="u"/>)
    /// is negated, with its right partner (row of <paramref name="vh"/>), when its entry of largest
    /// magnitude is negative. (scikit-learn 1.5 decides on the rows of V instead, which can flip
    /// a component's sign.)
    /// </summary>
    public static void FlipSigns(Tensor u, Tensor vh)
    {
        using var scope = torch.NewDisposeScope();
        var largest = u.abs().argmax(0, keepdim: true);
        var signs = u.gather(0, largest).sign().squeeze(0);
        signs = torch.where(signs.eq(0), torch.ones_like(signs), signs);
        u.mul_(signs.unsqueeze(0));
        vh.mul_(signs.unsqueeze(1));
    }
}
