using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Lucent.Net.ModelZoo.Weights;

/// <summary>The size and hashes of a weight file.</summary>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">SHA-256, lower-case hexadecimal.</param>
/// <param name="GitBlobSha1">The git blob id, lower-case hexadecimal.</param>
internal sealed record WeightFileDigest(long Size, string Sha256, string GitBlobSha1);

/// <summary>
/// Hashing, pin checks and the record of a verified copy (<c>&lt;file&gt;.verified.json</c> next to the cached file),
/// which keeps the size and SHA-256 of the first copy that passed its checks so that pins can move to SHA-256.
/// </summary>
internal static class WeightFileChecks
{
    public const string RecordSuffix = ".verified.json";

    /// <summary>Starts a git blob SHA-1: the header <c>"blob " + size + "\0"</c> is hashed before the bytes.</summary>
    public static IncrementalHash StartGitBlobSha1(long size)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(Encoding.ASCII.GetBytes("blob " + size.ToString(CultureInfo.InvariantCulture) + "\0"));
        return hash;
    }

    /// <summary>Hashes the file at <paramref name="path"/> in one pass.</summary>
    public static WeightFileDigest Digest(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long size = stream.Length;
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var git = StartGitBlobSha1(size);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            sha256.AppendData(buffer, 0, read);
            git.AppendData(buffer, 0, read);
            total += read;
        }

        if (total != size)
        {
            throw new IOException($"'{path}' changed while it was read.");
        }

        return new WeightFileDigest(size, Hex(sha256.GetHashAndReset()), Hex(git.GetHashAndReset()));
    }

    public static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    /// <summary>The size limit a file of <paramref name="weights"/> must keep, from its pins and the store's cap.</summary>
    public static long SizeLimit(PretrainedWeights weights, long storeCap)
        => weights.ExpectedSize ?? Math.Min(weights.MaxSize ?? long.MaxValue, storeCap);

    /// <summary>Null when <paramref name="size"/> fits the pinned size; otherwise the mismatch.</summary>
    public static WeightsHashMismatchException? CheckSize(PretrainedWeights weights, string path, long size)
    {
        if (weights.ExpectedSize is long expected && size != expected)
        {
            return new WeightsHashMismatchException(path, "size", PretrainedWeights.FormatBytes(expected), PretrainedWeights.FormatBytes(size));
        }

        if (weights.MaxSize is long max && size > max)
        {
            return new WeightsHashMismatchException(path, "size", "at most " + PretrainedWeights.FormatBytes(max), PretrainedWeights.FormatBytes(size));
        }

        return null;
    }

    /// <summary>Null when <paramref name="digest"/> matches every pin of <paramref name="weights"/>; otherwise the first mismatch.</summary>
    public static WeightsHashMismatchException? CheckPins(PretrainedWeights weights, string path, WeightFileDigest digest)
    {
        if (CheckSize(weights, path, digest.Size) is { } size)
        {
            return size;
        }

        if (weights.Sha256 is { } sha256 && !sha256.Equals(digest.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return new WeightsHashMismatchException(path, "SHA-256", sha256.ToLowerInvariant(), digest.Sha256);
        }

        if (weights.GitBlobSha1 is { } git && !git.Equals(digest.GitBlobSha1, StringComparison.OrdinalIgnoreCase))
        {
            return new WeightsHashMismatchException(path, "git blob SHA-1", git.ToLowerInvariant(), digest.GitBlobSha1);
        }

        return null;
    }

    /// <summary>The record of the verified copy at <paramref name="path"/>, or null when there is none (or it is unreadable).</summary>
    public static WeightFileDigest? ReadRecord(string path)
    {
        string recordPath = path + RecordSuffix;
        try
        {
            var info = new FileInfo(recordPath);
            if (!info.Exists || info.Length > 64 << 10)
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(recordPath));
            var root = document.RootElement;
            return new WeightFileDigest(
                root.GetProperty("size").GetInt64(),
                root.GetProperty("sha256").GetString() ?? string.Empty,
                root.GetProperty("gitBlobSha1").GetString() ?? string.Empty);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Writes the record of a verified copy next to <paramref name="path"/> (temp file, then rename). Best effort.</summary>
    public static void WriteRecord(string path, PretrainedWeights weights, WeightFileDigest digest, string verifiedBy)
    {
        string recordPath = path + RecordSuffix;
        string temp = $"{recordPath}.{Guid.NewGuid():N}.partial";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("name", weights.Name);
                json.WriteString("fileName", weights.FileName);
                json.WriteString("url", weights.Url.ToString());
                json.WriteNumber("size", digest.Size);
                json.WriteString("sha256", digest.Sha256);
                json.WriteString("gitBlobSha1", digest.GitBlobSha1);
                json.WriteString("verifiedBy", verifiedBy);
                json.WriteString("recordedUtc", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            File.Move(temp, recordPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The record is a convenience: without it the file is simply checked again next time.
            TryDelete(temp);
        }
    }

    /// <summary>What a verified copy was checked against, for the record.</summary>
    public static string VerifiedBy(PretrainedWeights weights)
    {
        var parts = new List<string>();
        if (weights.Sha256 is not null)
        {
            parts.Add("pinned SHA-256");
        }

        if (weights.GitBlobSha1 is not null)
        {
            parts.Add("pinned git blob SHA-1");
        }

        if (weights.ExpectedSize is not null)
        {
            parts.Add("pinned size");
        }

        if (parts.Count == 0)
        {
            parts.Add(weights.Validator is null ? "nothing (not pinned)" : "structure check (not pinned)");
        }

        return string.Join(", ", parts);
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is never mistaken for the real one.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
