namespace Lucent.Net.Analysis;

/// <summary>Settings of a <see cref="ChannelReducer"/>; the defaults are scikit-learn's.</summary>
public sealed class ChannelReducerOptions
{
    /// <summary>The reduction; <see cref="ChannelReductionMethod.Nmf"/> (Lucent's default) unless set.</summary>
    public ChannelReductionMethod Method { get; init; } = ChannelReductionMethod.Nmf;

    /// <summary>
    /// Seed of the random NMF initialisation, used only when the number of components exceeds the
    /// number of rows (otherwise the initialisation is NNDSVDa, which is deterministic). 0 unless set.
    /// </summary>
    public long Seed { get; init; }

    /// <summary>The most NMF coordinate-descent sweeps (scikit-learn's <c>max_iter</c>, 200). At least 1.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>
    /// NMF stops when the projected-gradient violation of a sweep falls to this fraction of the
    /// first sweep's (scikit-learn's <c>tol</c>, 1e-4). Zero or more.
    /// </summary>
    public double Tolerance { get; init; } = 1e-4;
}
