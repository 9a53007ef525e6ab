using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Analysis;

/// <summary>
/// NMF with scikit-learn's objective and solver (written from its documented algorithm):
/// Frobenius loss, no regularisation, NNDSVDa initialisation (random when there are more
/// components than rows), and the coordinate-descent solver of Cichocki and Phan (2009) that
/// scikit-learn's <c>solver="cd"</c> runs. All tensors float64 on the CPU; the caller owns them.
/// </summary>
internal static class NonNegativeMatrixFactorization
{
    /// <summary>Values of the NNDSVD factors below this are set to zero (scikit-learn's <c>eps</c>).</summary>
    private const double NndsvdEpsilon = 1e-6;

    /// <summary>
    /// The initial factors of <paramref name="x"/> (rows x channels): NNDSVDa (Boutsidis and
    /// Gallopoulos 2008, zeros filled with the mean of <paramref name="x"/>) when
    /// <paramref name="components"/> &lt;= min(rows, channels), as scikit-learn's default; otherwise
    /// scikit-learn's "random" (absolute values of normal draws scaled by sqrt(mean / components)).
    /// </summary>
    public static (Tensor W, Tensor H) Initialize(Tensor x, int components, long seed)
    {
        long rows = x.shape[0];
        long channels = x.shape[1];
        double mean = x.mean().item<double>();
        if (components > Math.Min(rows, channels))
        {
            using var generator = new Generator((ulong)seed);
            double scale = Math.Sqrt(mean / components);
            // scikit-learn draws H first, then W.
            var h = torch.randn(new long[] { components, channels }, dtype: ScalarType.Float64, generator: generator).abs_().mul_(scale);
            var w = torch.randn(new long[] { rows, components }, dtype: ScalarType.Float64, generator: generator).abs_().mul_(scale);
            return (w, h);
        }

        using var scope = torch.NewDisposeScope();
        var (u, s, vh) = torch.linalg.svd(x, fullMatrices: false);
        var wOut = torch.zeros(new long[] { rows, components }, dtype: ScalarType.Float64);
        var hOut = torch.zeros(new long[] { components, channels }, dtype: ScalarType.Float64);
        double[] singular = s.data<double>().ToArray();

        // The leading singular pair of a non-negative matrix can be taken non-negative.
        double root = Math.Sqrt(singular[0]);
        wOut.select(1, 0).copy_(u.select(1, 0).abs().mul(root));
        hOut.select(0, 0).copy_(vh.select(0, 0).abs().mul(root));

        for (int j = 1; j < components; j++)
        {
            var xj = u.select(1, j);
            var yj = vh.select(0, j);
            var xPositive = xj.clamp_min(0);
            var yPositive = yj.clamp_min(0);
            var xNegative = xj.clamp_max(0).abs();
            var yNegative = yj.clamp_max(0).abs();
            double xPositiveNorm = xPositive.norm().item<double>();
            double yPositiveNorm = yPositive.norm().item<double>();
            double xNegativeNorm = xNegative.norm().item<double>();
            double yNegativeNorm = yNegative.norm().item<double>();
            double positiveMass = xPositiveNorm * yPositiveNorm;
            double negativeMass = xNegativeNorm * yNegativeNorm;

            // Keep the sign pattern carrying more of the pair; a pair with neither stays zero
            // (NNDSVDa then fills it with the mean).
            bool positive = positiveMass > negativeMass;
            double mass = positive ? positiveMass : negativeMass;
            if (mass <= 0)
            {
                continue;
            }

            double lambda = Math.Sqrt(singular[j] * mass);
            var uj = positive ? xPositive.div(xPositiveNorm) : xNegative.div(xNegativeNorm);
            var vj = positive ? yPositive.div(yPositiveNorm) : yNegative.div(yNegativeNorm);
            wOut.select(1, j).copy_(uj.mul(lambda));
            hOut.select(0, j).copy_(vj.mul(lambda));
        }

        wOut.masked_fill_(wOut.lt(NndsvdEpsilon), mean);
        hOut.masked_fill_(hOut.lt(NndsvdEpsilon), mean);
        return (wOut.MoveToOuterDisposeScope(), hOut.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Runs coordinate descent on <paramref name="w"/> (and on <paramref name="h"/> when
    /// <paramref name="updateH"/>) in place, minimising ||X - W H||_F. Each sweep updates W's
    /// columns in order, then H's rows; it stops after <paramref name="maxIterations"/> sweeps or
    /// when a sweep's projected-gradient violation is at most <paramref name="tolerance"/> times
    /// the first sweep's. The products with X (rows x channels x components) run on tensors; the
    /// element updates (rows x components x components) run on arrays, in scikit-learn's order.
    /// </summary>
    /// <returns>The number of sweeps run.</returns>
    public static int CoordinateDescent(Tensor x, Tensor w, Tensor h, bool updateH, int maxIterations, double tolerance)
    {
        long rows = x.shape[0];
        long channels = x.shape[1];
        int components = (int)w.shape[1];
        using var xt = x.t().contiguous();
        double[] wValues = Values(w);
        double[] htValues;
        using (var ht = h.t().contiguous())
        {
            htValues = Values(ht);
        }

        double initialViolation = 0;
        int sweeps = 0;
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            using var scope = torch.NewDisposeScope();
            sweeps = iteration;
            var htTensor = torch.tensor(htValues, new long[] { channels, components }, ScalarType.Float64);
            double violation = UpdateFactor(wValues, components, Values(htTensor.t().mm(htTensor)), Values(x.mm(htTensor)));
            if (updateH)
            {
                var wTensor = torch.tensor(wValues, new long[] { rows, components }, ScalarType.Float64);
                violation += UpdateFactor(htValues, components, Values(wTensor.t().mm(wTensor)), Values(xt.mm(wTensor)));
            }

            if (iteration == 1)
            {
                initialViolation = violation;
            }

            if (initialViolation == 0 || violation / initialViolation <= tolerance)
            {
                break;
            }
        }

        using (var result = torch.tensor(wValues, new long[] { rows, components }, ScalarType.Float64))
        {
            w.copy_(result);
        }

        if (updateH)
        {
            using var result = torch.tensor(htValues, new long[] { channels, components }, ScalarType.Float64);
            using var transposed = result.t();
            h.copy_(transposed);
        }

        return sweeps;
    }

    /// <summary>
    /// One coordinate-descent pass over the columns of W (rows x components, row-major in
    /// <paramref name="w"/>) for X ~ W Ht^T, given HHt = Ht^T Ht (components x components) and
    /// XHt = X Ht (rows x components): component by component, row by row, the projected Newton
    /// step W[i, t] = max(0, W[i, t] - g / HHt[t, t]) with g = (W HHt - XHt)[i, t].
    /// </summary>
    /// <returns>The sum of the absolute projected gradients seen.</returns>
    private static double UpdateFactor(double[] w, int components, double[] hht, double[] xht)
    {
        int rows = w.Length / components;
        double violation = 0;
        for (int t = 0; t < components; t++)
        {
            double hessian = hht[(t * components) + t];
            for (int i = 0; i < rows; i++)
            {
                int row = i * components;
                double gradient = -xht[row + t];
                for (int r = 0; r < components; r++)
                {
                    gradient += hht[(t * components) + r] * w[row + r];
                }

                double current = w[row + t];
                double projected = current == 0 ? Math.Min(0, gradient) : gradient;
                violation += Math.Abs(projected);
                if (hessian != 0)
                {
                    w[row + t] = Math.Max(current - (gradient / hessian), 0);
                }
            }
        }

        return violation;
    }

    private static double[] Values(Tensor t)
    {
        using var contiguous = t.contiguous();
        return contiguous.data<double>().ToArray();
    }
}
