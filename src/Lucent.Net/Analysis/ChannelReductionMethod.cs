namespace Lucent.Net.Analysis;

/// <summary>How a <see cref="ChannelReducer"/> reduces a layer's channels.</summary>
public enum ChannelReductionMethod
{
    /// <summary>
    /// Non-negative matrix factorisation (Lucent's default, scikit-learn's <c>NMF</c>): the
    /// activations (rows x channels) are approximated by W x H with both factors non-negative,
    /// minimising the Frobenius norm of the difference. Needs non-negative activations (after a
    /// ReLU).
    /// </summary>
    Nmf = 0,

    /// <summary>
    /// Principal component analysis (scikit-learn's <c>PCA</c>): the centred activations projected
    /// onto the directions of largest variance. Any sign.
    /// </summary>
    Pca = 1,
}
