using System.Globalization;
using System.Text;

namespace Lucent.Net.Imaging;

/// <summary>
/// Writes files so that readers never see a half-written file: the content goes to a temporary file in the
/// same folder, which is then renamed over the destination (replacing any existing file).
/// </summary>
public static class AtomicFile
{
    /// <summary>The suffix of the temporary files this class writes (they are removed on success and on failure).</summary>
    public const string TemporarySuffix = ".lucent-tmp";

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically, creating the folder if needed.</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="content">The bytes to write.</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)
            ?? throw new ArgumentException($"'{path}' names no file inside a folder.", nameof(path));
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(
            folder,
            string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TemporarySuffix}"));
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (without byte order mark) to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="text">The text to write.</param>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original exception matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
