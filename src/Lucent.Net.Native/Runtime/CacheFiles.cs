using System.Globalization;
using System.Text.Json;

namespace Lucent.Net.Runtime;

/// <summary>Reading and writing the per-machine cache files (the kernel verdict, the render tuning) under the cache roots.</summary>
internal static class CacheFiles
{
    /// <summary>
    /// Writes <paramref name="bytes"/> to the first root that takes it: a temporary file (created new, flushed), then renamed
    /// into place, so no reader sees half a file. A root that fails is skipped; with none, nothing is cached (the caller
    /// probes or measures again next time). Shared by the kernel verdict and the render tuning caches.
    /// </summary>
    internal static void WriteFirstRoot(IEnumerable<string> roots, Func<string, string> pathInRoot, byte[] bytes)
    {
        foreach (string root in roots)
        {
            string path = pathInRoot(root);
            string temp = path + $".{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}.tmp";
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, path, overwrite: true);
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Try the next root; without a cache the check simply runs again next time.
                TryDelete(temp);
            }
        }
    }

    /// <summary>
    /// Reads the entry from the first root that holds a usable one: a regular file (no link, FIFO or device) of at most
    /// <paramref name="maxBytes"/> bytes counted as read, that parses as <typeparamref name="T"/> and that
    /// <paramref name="usable"/> accepts. A missing, unreadable, irregular, oversized or malformed file is ignored (the
    /// caller probes or measures again and replaces it). Shared by the kernel verdict and the render tuning caches.
    /// </summary>
    internal static T? ReadFirstUsable<T>(IEnumerable<string> roots, Func<string, string> pathInRoot, int maxBytes, JsonSerializerOptions options, Func<T, bool> usable)
        where T : class
    {
        foreach (string root in roots)
        {
            try
            {
                byte[] bytes = RegularFile.ReadAtMost(pathInRoot(root), maxBytes, followSymbolicLinks: false);
                if (bytes.Length > maxBytes)
                {
                    continue;
                }

                if (JsonSerializer.Deserialize<T>(bytes, options) is { } entry && usable(entry))
                {
                    return entry;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or ArgumentException)
            {
                // Ignored: measured or probed again, and replaced.
            }
        }

        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is harmless.
        }
    }
}
