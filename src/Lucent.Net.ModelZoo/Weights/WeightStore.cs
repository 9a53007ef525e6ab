using System.Net;
using System.Security.Cryptography;

namespace Lucent.Net.ModelZoo.Weights;

/// <summary>
/// Finds pretrained weight files, downloading them into a per-user cache when needed.
/// </summary>
/// <remarks>
/// <para>Resolution order for <see cref="ResolveAsync"/>: (1) an explicit path; (2) the environment variable
/// <c>LUCENT_NET_WEIGHTS_&lt;NAME&gt;</c> (a file path); (3) <c>LUCENT_NET_WEIGHTS_DIR</c> (a folder holding the
/// file); (4) the cache folder; (5) a download into the cache folder, unless downloads are disabled. An
/// explicit path or a <c>LUCENT_NET_WEIGHTS_&lt;NAME&gt;</c> that names a missing file is an error rather than
/// a reason to look elsewhere.</para>
/// <para>A download is written to a temporary file in the cache folder and renamed into place only once it is
/// complete and has passed every check (size, SHA-256 when pinned, the structure validator), so the cache never
/// holds a partial or corrupt file, even after a dropped connection, a timeout or a cancellation.</para>
/// </remarks>
public sealed class WeightStore
{
    /// <summary>The environment variable naming a folder that holds weight files.</summary>
    public const string DirectoryVariable = "LUCENT_NET_WEIGHTS_DIR";

    /// <summary>The environment variable naming Lucent.Net's cache root (weights go into its <c>weights</c> subfolder).</summary>
    public const string CacheVariable = "LUCENT_NET_CACHE";

    private const string PartialSuffix = ".partial";

    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });

    private readonly WeightStoreOptions options;
    private readonly HttpClient httpClient;

    /// <summary>Creates a store.</summary>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="httpClient">The client used for downloads; null for a shared one. The store does not dispose it.
    /// Its own <see cref="HttpClient.Timeout"/> still applies; the store's timeouts come from <paramref name="options"/>.</param>
    public WeightStore(WeightStoreOptions? options = null, HttpClient? httpClient = null)
    {
        this.options = options ?? new WeightStoreOptions();
        if (this.options.StallTimeout <= TimeSpan.Zero || this.options.DownloadTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("StallTimeout and DownloadTimeout must be positive.", nameof(options));
        }

        this.httpClient = httpClient ?? SharedClient.Value;
        CacheDirectory = Path.GetFullPath(this.options.CacheDirectory ?? DefaultCacheDirectory(this.options.GetEnvironmentVariable));
    }

    /// <summary>The cache folder this store uses.</summary>
    public string CacheDirectory { get; }

    /// <summary>
    /// The default cache folder: <c>$LUCENT_NET_CACHE/weights</c>, else <c>$XDG_CACHE_HOME/lucent-net/weights</c>,
    /// else <c>~/.cache/lucent-net/weights</c>.
    /// </summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable; null for the process environment.</param>
    /// <returns>The folder (it may not exist yet).</returns>
    public static string DefaultCacheDirectory(Func<string, string?>? getEnvironmentVariable = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        if (getEnvironmentVariable(CacheVariable) is { Length: > 0 } lucentCache)
        {
            return Path.Combine(lucentCache, "weights");
        }

        if (getEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg)
        {
            return Path.Combine(xdg, "lucent-net", "weights");
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "lucent-net", "weights");
    }

    /// <summary>Where <paramref name="weights"/> lives in the cache folder.</summary>
    /// <param name="weights">The weights.</param>
    /// <returns>The full path (the file may not exist).</returns>
    public string GetCachePath(PretrainedWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Path.Combine(CacheDirectory, weights.FileName);
    }

    /// <summary>
    /// Finds the file without downloading: the first of the explicit path, the environment variables and the
    /// cache that holds it.
    /// </summary>
    /// <param name="weights">The weights.</param>
    /// <param name="explicitPath">A path given by the caller, or null.</param>
    /// <returns>The full path, or null when only a download could provide the file.</returns>
    /// <exception cref="WeightsUnavailableException">An explicit path or environment variable names a missing or wrong file.</exception>
    public string? TryFindLocal(PretrainedWeights weights, string? explicitPath = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        string cachePath = GetCachePath(weights);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return RequireLocal(weights, explicitPath, $"the path given ({Path.GetFullPath(explicitPath)})", cachePath);
        }

        if (options.GetEnvironmentVariable(weights.EnvironmentVariable) is { Length: > 0 } fromVariable)
        {
            return RequireLocal(weights, fromVariable, $"{weights.EnvironmentVariable} ({fromVariable})", cachePath);
        }

        if (options.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } folder)
        {
            string candidate = Path.Combine(folder, weights.FileName);
            if (File.Exists(candidate))
            {
                return RequireLocal(weights, candidate, $"{DirectoryVariable} ({candidate})", cachePath);
            }
        }

        if (File.Exists(cachePath))
        {
            if (CheckPinned(weights, cachePath) is null)
            {
                return cachePath;
            }

            // A cached file that fails its pinned size or hash is stale or damaged: drop it so it is fetched again.
            TryDelete(cachePath);
        }

        return null;
    }

    /// <summary>
    /// Returns the path of a good copy of <paramref name="weights"/>, downloading it into the cache when it is
    /// not found locally (see the class remarks for the order).
    /// </summary>
    /// <param name="weights">The weights.</param>
    /// <param name="explicitPath">A path given by the caller, or null.</param>
    /// <param name="progress">Receives download progress; may be null.</param>
    /// <param name="cancellationToken">Cancels the download; the cache is left without a partial file.</param>
    /// <returns>The full path of the file.</returns>
    /// <exception cref="WeightsUnavailableException">The file is not available and could not be downloaded; the message says what to do.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<string> ResolveAsync(
        PretrainedWeights weights,
        string? explicitPath = null,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (TryFindLocal(weights, explicitPath) is { } local)
        {
            return local;
        }

        string cachePath = GetCachePath(weights);
        if (!options.AllowDownload)
        {
            throw new WeightsUnavailableException(weights, cachePath, "the file was not found and downloads are disabled (WeightStoreOptions.AllowDownload is false).");
        }

        await DownloadAsync(weights, cachePath, progress, cancellationToken).ConfigureAwait(false);
        return cachePath;
    }

    private string RequireLocal(PretrainedWeights weights, string path, string source, string cachePath)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new WeightsUnavailableException(weights, cachePath, $"{source} names a file that does not exist.");
        }

        if (CheckPinned(weights, full) is { } problem)
        {
            throw new WeightsUnavailableException(weights, cachePath, $"{source} names a file that is not the expected one: {problem}.");
        }

        return full;
    }

    /// <summary>Null when the file matches the pinned size and hash; otherwise what is wrong.</summary>
    private static string? CheckPinned(PretrainedWeights weights, string path)
    {
        long length = new FileInfo(path).Length;
        if (weights.ExpectedSize is long size && length != size)
        {
            return $"it has {PretrainedWeights.FormatBytes(length)} instead of {PretrainedWeights.FormatBytes(size)}";
        }

        if (weights.Sha256 is { } expected)
        {
            using var stream = File.OpenRead(path);
            string actual = Convert.ToHexString(SHA256.HashData(stream));
            if (!actual.Equals(expected, StringComparison.OrdinalIgnoreCase))
            {
                return $"its SHA-256 is {actual.ToLowerInvariant()} instead of {expected.ToLowerInvariant()}";
            }
        }

        return null;
    }

    private async Task DownloadAsync(PretrainedWeights weights, string cachePath, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string tempPath = Path.Combine(CacheDirectory, $"{weights.FileName}.{Guid.NewGuid():N}{PartialSuffix}");
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(options.DownloadTimeout);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
        try
        {
            Directory.CreateDirectory(CacheDirectory);
            stall.CancelAfter(options.StallTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, weights.Url);
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new WeightsUnavailableException(weights, cachePath,
                    $"downloading {weights.Url} failed: the server answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            long? total = response.Content.Headers.ContentLength;
            if (weights.ExpectedSize is long expectedSize && total is long announced && announced != expectedSize)
            {
                throw new WeightsUnavailableException(weights, cachePath,
                    $"the server announced {PretrainedWeights.FormatBytes(announced)} but the file has {PretrainedWeights.FormatBytes(expectedSize)}.");
            }

            long limit = weights.ExpectedSize ?? total ?? long.MaxValue;
            long received = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    progress?.Report(new DownloadProgress(0, total));
                    var buffer = new byte[1 << 16];
                    while (true)
                    {
                        stall.CancelAfter(options.StallTimeout);
                        int read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        received += read;
                        if (received > limit)
                        {
                            throw new WeightsUnavailableException(weights, cachePath,
                                $"the server sent more than the expected {PretrainedWeights.FormatBytes(limit)}.");
                        }

                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), overall.Token).ConfigureAwait(false);
                        progress?.Report(new DownloadProgress(received, total));
                    }

                    await file.FlushAsync(overall.Token).ConfigureAwait(false);
                }
            }

            if (total is long expectedTotal && received != expectedTotal)
            {
                throw new WeightsUnavailableException(weights, cachePath,
                    $"the connection closed after {PretrainedWeights.FormatBytes(received)} of {PretrainedWeights.FormatBytes(expectedTotal)}.");
            }

            string? problem = weights.ExpectedSize is long size && received != size
                ? $"it has {PretrainedWeights.FormatBytes(received)} instead of {PretrainedWeights.FormatBytes(size)}"
                : null;
            string actualHash = Convert.ToHexString(hash.GetHashAndReset());
            if (problem is null && weights.Sha256 is { } expectedHash && !actualHash.Equals(expectedHash, StringComparison.OrdinalIgnoreCase))
            {
                problem = $"its SHA-256 is {actualHash.ToLowerInvariant()} instead of {expectedHash.ToLowerInvariant()}";
            }

            if (problem is not null)
            {
                throw new WeightsUnavailableException(weights, cachePath, $"the downloaded file is damaged or not the expected one: {problem}.");
            }

            Validate(weights, tempPath, cachePath);
            File.Move(tempPath, cachePath, overwrite: true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e) when (overall.IsCancellationRequested)
        {
            throw new WeightsUnavailableException(weights, cachePath,
                $"downloading {weights.Url} took longer than {options.DownloadTimeout.TotalSeconds:0.###} s (WeightStoreOptions.DownloadTimeout).", e);
        }
        catch (OperationCanceledException e) when (stall.IsCancellationRequested)
        {
            throw new WeightsUnavailableException(weights, cachePath,
                $"downloading {weights.Url} stalled: the server sent nothing for {options.StallTimeout.TotalSeconds:0.###} s (WeightStoreOptions.StallTimeout).", e);
        }
        catch (OperationCanceledException e)
        {
            throw new WeightsUnavailableException(weights, cachePath,
                $"downloading {weights.Url} timed out (HttpClient.Timeout of the client passed to the WeightStore).", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException)
        {
            throw new WeightsUnavailableException(weights, cachePath, $"downloading {weights.Url} failed: {e.Message}", e);
        }
        finally
        {
            TryDelete(tempPath);
        }
    }

    private static void Validate(PretrainedWeights weights, string tempPath, string cachePath)
    {
        if (weights.Validator is null)
        {
            return;
        }

        try
        {
            weights.Validator(tempPath);
        }
#pragma warning disable CA1031 // A validator may throw anything; every failure means "reject the file".
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new WeightsUnavailableException(weights, cachePath, $"the downloaded file failed its structure check: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover *.partial file is never mistaken for the real one.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
