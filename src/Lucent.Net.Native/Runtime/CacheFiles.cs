using System.Globalization;

namespace Lucent.Net.Runtime;

/// <summary>Writing the per-machine cache files (the kernel verdict, the render tuning) under the first usable cache root.</summary>
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
