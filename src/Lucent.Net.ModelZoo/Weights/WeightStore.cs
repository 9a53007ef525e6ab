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
/// <para>Trust: the explicit path is the caller's own file and is returned as it is (that is how to load your own,
/// unpinned weights). Every file the store finds by itself (the two environment variables, the cache) or downloads
/// must match the descriptor's pins (size, SHA-256, git blob SHA-1); a file from an environment variable that does
/// not is an error, a cached one that does not (or, when nothing is pinned, fails the recorded size and SHA-256 or
/// the structure validator) is moved aside to <c>&lt;file&gt;.bad</c> and downloaded again.</para>
/// <para>A download is written to a temporary file in the cache folder and renamed into place only once it is
/// complete and has passed every check (size cap, pinned size and hashes, the structure validator), so the cache never
/// holds a partial or corrupt file, even after a dropped connection, a timeout or a cancellation. The size and
/// SHA-256 of each verified copy are recorded in <c>&lt;file&gt;.verified.json</c>.</para>
/// </remarks>
public sealed class WeightStore
{
    /// <summary>The environment variable naming a folder that holds weight files.</summary>
    public const string DirectoryVariable = "LUCENT_NET_WEIGHTS_DIR";

    /// <summary>The environment variable naming Lucent.Net's cache root (weights go into its <c>weights</c> subfolder).</summary>
    public const string CacheVariable = "LUCENT_NET_CACHE";

    private const string PartialSuffix = ".partial";

    private const string BadSuffix = ".bad";

    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });

    private readonly WeightStoreOptions _options;
    private readonly HttpClient _httpClient;

    /// <summary>Creates a store.</summary>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="httpClient">The client used for downloads; null for a shared one. The store does not dispose it.
    /// Its own <see cref="HttpClient.Timeout"/> still applies; the store's timeouts come from <paramref name="options"/>.</param>
    public WeightStore(WeightStoreOptions? options = null, HttpClient? httpClient = null)
    {
        this._options = options ?? new WeightStoreOptions();
        if (this._options.StallTimeout <= TimeSpan.Zero || this._options.DownloadTimeout <= TimeSpan.Zero || this._options.MaxDownloadBytes <= 0)
        {
            throw new ArgumentException("StallTimeout, DownloadTimeout and MaxDownloadBytes must be positive.", nameof(options));
        }

        this._httpClient = httpClient ?? SharedClient.Value;
        CacheDirectory = Path.GetFullPath(this._options.CacheDirectory ?? DefaultCacheDirectory(this._options.GetEnvironmentVariable));
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
    public string? TryFindLocal(PretrainedWeights weights, string? explicitPath = null) => FindLocal(weights, explicitPath, out _);

    private string? FindLocal(PretrainedWeights weights, string? explicitPath, out string? quarantined)
    {
        ArgumentNullException.ThrowIfNull(weights);
        quarantined = null;
        string cachePath = GetCachePath(weights);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            // The caller's own file: returned as it is, pinned or not (the loader checks its structure).
            string full = Path.GetFullPath(explicitPath);
            return File.Exists(full)
                ? full
                : throw new WeightsUnavailableException(weights, cachePath, $"the path given ({full}) names a file that does not exist.");
        }

        if (_options.GetEnvironmentVariable(weights.EnvironmentVariable) is { Length: > 0 } fromVariable)
        {
            return RequireLocal(weights, fromVariable, $"{weights.EnvironmentVariable} ({fromVariable})", cachePath);
        }

        if (_options.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } folder)
        {
            string candidate = Path.Combine(folder, weights.FileName);
            if (File.Exists(candidate))
            {
                return RequireLocal(weights, candidate, $"{DirectoryVariable} ({candidate})", cachePath);
            }
        }

        if (File.Exists(cachePath))
        {
            if (CheckCached(weights, cachePath) is not { } problem)
            {
                return cachePath;
            }

            // A half copy, a full disk, bit rot or a replaced file: keep it for inspection, then fetch it again.
            quarantined = MoveAside(cachePath, problem);
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
        if (FindLocal(weights, explicitPath, out string? quarantined) is { } local)
        {
            return local;
        }

        string cachePath = GetCachePath(weights);
        string before = quarantined is null ? string.Empty : quarantined + "; ";
        if (!_options.AllowDownload)
        {
            throw new WeightsUnavailableException(weights, cachePath, before + "the file was not found and downloads are disabled (WeightStoreOptions.AllowDownload is false).");
        }

        try
        {
            await DownloadAsync(weights, cachePath, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (WeightsUnavailableException e) when (quarantined is not null && e.Reason is not null)
        {
            throw new WeightsUnavailableException(weights, cachePath, before + e.Reason, e.InnerException);
        }

        return cachePath;
    }

    /// <summary>The path of the cached copy moved aside by the last failed check, if any (<c>&lt;file&gt;.bad</c>).</summary>
    /// <param name="weights">The weights.</param>
    /// <returns>The full path (the file may not exist).</returns>
    public string GetQuarantinePath(PretrainedWeights weights) => GetCachePath(weights) + BadSuffix;

    private string RequireLocal(PretrainedWeights weights, string path, string source, string cachePath)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new WeightsUnavailableException(weights, cachePath, $"{source} names a file that does not exist.");
        }

        if (CheckPinned(weights, full) is { } mismatch)
        {
            throw new WeightsUnavailableException(weights, cachePath,
                $"{source} names a file that is not the expected one: {mismatch.Message} "
                + "To use weights of your own, pass the file explicitly (the explicitPath argument, ModelLoadOptions.WeightsPath, or the tutorial's --weights).",
                mismatch);
        }

        return full;
    }

    /// <summary>Null when the file matches the pinned size and hashes (or nothing is pinned); otherwise the mismatch.</summary>
    private static WeightsHashMismatchException? CheckPinned(PretrainedWeights weights, string path)
    {
        if (WeightFileChecks.CheckSize(weights, path, new FileInfo(path).Length) is { } size)
        {
            return size;
        }

        return weights.IsPinned ? WeightFileChecks.CheckPins(weights, path, WeightFileChecks.Digest(path)) : null;
    }

    /// <summary>Null when the cached file is good: it matches its pins, else its record, else its structure check.</summary>
    private string? CheckCached(PretrainedWeights weights, string cachePath)
    {
        try
        {
            long length = new FileInfo(cachePath).Length;
            var record = WeightFileChecks.ReadRecord(cachePath);
            if (record is not null && record.Size != length)
            {
                return $"it has {PretrainedWeights.FormatBytes(length)} but {PretrainedWeights.FormatBytes(record.Size)} were recorded when it was verified";
            }

            if (WeightFileChecks.CheckSize(weights, cachePath, length) is { } size)
            {
                return size.Message;
            }

            if (weights.IsPinned)
            {
                var digest = WeightFileChecks.Digest(cachePath);
                if (WeightFileChecks.CheckPins(weights, cachePath, digest) is { } mismatch)
                {
                    return mismatch.Message;
                }

                if (record != digest)
                {
                    // The first verified copy seen here (or a stale record): keep its size and SHA-256.
                    WeightFileChecks.WriteRecord(cachePath, weights, digest, WeightFileChecks.VerifiedBy(weights));
                }

                return null;
            }

            if (record is not null)
            {
                var digest = WeightFileChecks.Digest(cachePath);
                return digest.Sha256 == record.Sha256 ? null : $"its SHA-256 is {digest.Sha256}, but {record.Sha256} was recorded when it was verified";
            }

            if (weights.Validator is not null)
            {
                RunValidator(weights, cachePath);
                WeightFileChecks.WriteRecord(cachePath, weights, WeightFileChecks.Digest(cachePath), WeightFileChecks.VerifiedBy(weights));
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"it cannot be read: {e.Message}";
        }
#pragma warning disable CA1031 // A validator may throw anything; every failure means "the cached file is bad".
        catch (Exception e)
#pragma warning restore CA1031
        {
            return $"it failed its structure check: {e.Message}";
        }
    }

    /// <summary>Moves a bad cached copy to <c>&lt;file&gt;.bad</c> (replacing an older one) and says so, for messages.</summary>
    private static string MoveAside(string cachePath, string problem)
    {
        string note;
        try
        {
            File.Move(cachePath, cachePath + BadSuffix, overwrite: true);
            note = $"the cached copy was bad ({problem}) and was moved to {cachePath + BadSuffix}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WeightFileChecks.TryDelete(cachePath);
            note = $"the cached copy was bad ({problem}) and was deleted";
        }

        WeightFileChecks.TryDelete(cachePath + WeightFileChecks.RecordSuffix);
        return note;
    }

    private async Task DownloadAsync(PretrainedWeights weights, string cachePath, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string tempPath = Path.Combine(CacheDirectory, $"{weights.FileName}.{Guid.NewGuid():N}{PartialSuffix}");
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(_options.DownloadTimeout);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
        try
        {
            Directory.CreateDirectory(CacheDirectory);
            stall.CancelAfter(_options.StallTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, weights.Url);
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
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

            long limit = WeightFileChecks.SizeLimit(weights, _options.MaxDownloadBytes);
            if (total > limit)
            {
                throw new WeightsUnavailableException(weights, cachePath,
                    $"the server announced {PretrainedWeights.FormatBytes(total.Value)}, more than the {PretrainedWeights.FormatBytes(limit)} this file may have {LimitSource(weights)}.");
            }

            long received = 0;
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

            // The git blob id hashes the size first: hash while streaming when the size is known up front.
            long? knownSize = weights.ExpectedSize ?? total;
            using var git = knownSize is long k ? WeightFileChecks.StartGitBlobSha1(k) : null;
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
                        stall.CancelAfter(_options.StallTimeout);
                        int read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        received += read;
                        if (received > limit)
                        {
                            throw new WeightsUnavailableException(weights, cachePath,
                                $"the server sent more than the {PretrainedWeights.FormatBytes(limit)} this file may have {LimitSource(weights)}.");
                        }

                        sha256.AppendData(buffer, 0, read);
                        git?.AppendData(buffer, 0, read);
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

            string gitBlobSha1 = git is not null && knownSize == received
                ? WeightFileChecks.Hex(git.GetHashAndReset())
                : WeightFileChecks.Digest(tempPath).GitBlobSha1;
            var digest = new WeightFileDigest(received, WeightFileChecks.Hex(sha256.GetHashAndReset()), gitBlobSha1);
            if (WeightFileChecks.CheckPins(weights, weights.Url.ToString(), digest) is { } mismatch)
            {
                throw new WeightsUnavailableException(weights, cachePath,
                    $"the downloaded file is damaged or not the expected one: its {mismatch.Check} is {mismatch.Actual}, expected {mismatch.Expected}.", mismatch);
            }

            Validate(weights, tempPath, cachePath);
            File.Move(tempPath, cachePath, overwrite: true);
            WeightFileChecks.WriteRecord(cachePath, weights, digest, WeightFileChecks.VerifiedBy(weights));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e) when (overall.IsCancellationRequested)
        {
            throw new WeightsUnavailableException(weights, cachePath,
                $"downloading {weights.Url} took longer than {_options.DownloadTimeout.TotalSeconds:0.###} s (WeightStoreOptions.DownloadTimeout).", e);
        }
        catch (OperationCanceledException e) when (stall.IsCancellationRequested)
        {
            throw new WeightsUnavailableException(weights, cachePath,
                $"downloading {weights.Url} stalled: the server sent nothing for {_options.StallTimeout.TotalSeconds:0.###} s (WeightStoreOptions.StallTimeout).", e);
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

    private static string LimitSource(PretrainedWeights weights)
        => weights.ExpectedSize is not null ? "(its pinned size)"
            : weights.MaxSize is not null ? "(PretrainedWeights.MaxSize, or WeightStoreOptions.MaxDownloadBytes when lower)"
            : "(WeightStoreOptions.MaxDownloadBytes)";

    private static void RunValidator(PretrainedWeights weights, string path) => weights.Validator?.Invoke(path);

    private static void Validate(PretrainedWeights weights, string tempPath, string cachePath)
    {
        if (weights.Validator is null)
        {
            return;
        }

        try
        {
            RunValidator(weights, tempPath);
        }
#pragma warning disable CA1031 // A validator may throw anything; every failure means "reject the file".
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new WeightsUnavailableException(weights, cachePath, $"the downloaded file failed its structure check: {e.Message}", e);
        }
    }

    private static void TryDelete(string path) => WeightFileChecks.TryDelete(path);
}
