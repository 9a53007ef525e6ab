namespace Lucent.Net.ModelZoo.Weights;

/// <summary>
/// Pretrained weights could not be found or downloaded. The message says why and exactly how to fix it:
/// which file to put where, the environment variables that are read, and the download URL.
/// </summary>
public sealed class WeightsUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeightsUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public WeightsUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public WeightsUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="weights"/>.</summary>
    /// <param name="weights">The weights that were wanted.</param>
    /// <param name="expectedPath">Where the file is looked for in the cache.</param>
    /// <param name="reason">Why it is unavailable.</param>
    /// <param name="innerException">The cause, if any.</param>
    public WeightsUnavailableException(PretrainedWeights weights, string expectedPath, string reason, Exception? innerException = null)
        : base(BuildMessage(weights, expectedPath, reason), innerException)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Reason = reason;
        WeightsName = weights.Name;
        ExpectedPath = expectedPath;
        Url = weights.Url;
        EnvironmentVariables = [weights.EnvironmentVariable, WeightStore.DirectoryVariable];
    }

    /// <summary>Why the weights are unavailable (the middle of the message), when known.</summary>
    internal string? Reason { get; }

    /// <summary>The name of the weights, for example <c>InceptionV1</c>.</summary>
    public string? WeightsName { get; }

    /// <summary>The cache path where the file would be found.</summary>
    public string? ExpectedPath { get; }

    /// <summary>The download URL.</summary>
    public Uri? Url { get; }

    /// <summary>The environment variables that can point at the file.</summary>
    public IReadOnlyList<string> EnvironmentVariables { get; } = [];

    private static string BuildMessage(PretrainedWeights weights, string expectedPath, string reason)
        => $"The pretrained weights '{weights.Name}' ({weights.FileName}) are not available: {reason} "
            + $"To fix this, download {weights.Url} and save it as {expectedPath}; "
            + $"or set the environment variable {weights.EnvironmentVariable} to the file's full path; "
            + $"or set {WeightStore.DirectoryVariable} to a folder that contains {weights.FileName}.";
}
