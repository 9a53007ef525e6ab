namespace Lucent.Net.ModelZoo.Weights;

/// <summary>Options for <see cref="WeightStore"/>.</summary>
public sealed class WeightStoreOptions
{
    /// <summary>
    /// The cache folder; null for the default: <c>$LUCENT_NET_CACHE/weights</c>, else
    /// <c>$XDG_CACHE_HOME/lucent-net/weights</c>, else <c>~/.cache/lucent-net/weights</c>.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Whether a missing file may be downloaded (default true). When false, a missing file is an error that says where to put it.</summary>
    public bool AllowDownload { get; set; } = true;

    /// <summary>The default of <see cref="MaxDownloadBytes"/>: 2 GiB.</summary>
    public const long DefaultMaxDownloadBytes = 2L << 30;

    /// <summary>
    /// The most bytes one download may write (default <see cref="DefaultMaxDownloadBytes"/>, 2 GiB). It bounds
    /// downloads whose descriptor pins no exact size, whatever the server announces (or when it announces nothing):
    /// the download stops, and its partial file is deleted, as soon as it passes the cap.
    /// <see cref="PretrainedWeights.MaxSize"/> can only lower it.
    /// </summary>
    public long MaxDownloadBytes { get; set; } = DefaultMaxDownloadBytes;

    /// <summary>The longest a whole download may take (default 30 minutes).</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The longest the server may send nothing, for the response headers or between two reads (default 60 seconds).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reads an environment variable; defaults to <see cref="Environment.GetEnvironmentVariable(string)"/>.
    /// Replace it to resolve from a configuration source or in tests.
    /// </summary>
    public Func<string, string?> GetEnvironmentVariable { get; set; } = Environment.GetEnvironmentVariable;
}
