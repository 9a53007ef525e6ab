using Lucent.Net.Runtime;
using Lucent.Net.Tool.CommandLine;
using System.Globalization;
using System.Text;

namespace Lucent.Net.Tool.Gallery;

/// <summary>
/// A file of a gallery folder that the tool refuses to write, delete or read: a path that would leave the folder, a
/// symbolic link, a file that is not a regular file, or one larger than its kind may be. Gallery folders are shared
/// (an NFS folder every worker reads), so their files are untrusted input.
/// </summary>
internal sealed class GalleryFileException : ToolException
{
    public GalleryFileException()
    {
    }

    public GalleryFileException(string message)
        : base(message)
    {
    }

    public GalleryFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Every path the gallery commands write, delete or read below DIR goes through here: each part must be a plain name
/// (no separator, not <c>.</c> or <c>..</c>, no control character), the result must lie inside DIR, and no part that
/// exists below DIR may be a symbolic link (DIR itself may be one: the user chose it).
/// </summary>
internal static class GalleryPaths
{
    /// <summary>The longest name of a file or folder the tool makes (most file systems allow 255 bytes).</summary>
    public const int MaxNameLength = 255;

    /// <summary>Whether <paramref name="name"/> is one plain path component the tool may make or read.</summary>
    public static bool IsSafeName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name is "." or "..")
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// DIR/<paramref name="parts"/>, checked: plain names only, inside DIR, and no existing part a symbolic link.
    /// </summary>
    /// <exception cref="GalleryFileException">A part is not a plain name, or an existing part is a link.</exception>
    public static string Inside(string dir, params ReadOnlySpan<string> parts)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        string root = Path.GetFullPath(dir);
        string path = root;
        foreach (string part in parts)
        {
            if (!IsSafeName(part))
            {
                throw new GalleryFileException(
                    $"'{Describe(part)}' is not a plain file or folder name (letters, digits, '_', '-', '.'): refusing a path under '{root}' that could leave the gallery folder.");
            }

            path = Path.Join(path, part);
            if (new FileInfo(path).LinkTarget is not null)
            {
                throw new GalleryFileException(
                    $"'{path}' is a symbolic link: the gallery tool writes, deletes and reads only real files and folders inside the gallery folder.");
            }
        }

        string prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return parts.Length == 0 || path.StartsWith(prefix, StringComparison.Ordinal)
            ? path
            : throw new GalleryFileException($"'{path}' is not inside the gallery folder '{root}'.");
    }

    /// <summary>
    /// Reads DIR/<paramref name="parts"/> if it is there: a regular file (not a link, folder, FIFO or device) of at most
    /// <paramref name="maxBytes"/> bytes, counted as they are read. Null when there is no such file.
    /// </summary>
    /// <exception cref="GalleryFileException">The path is refused, the file is not a regular file, or it is too large.</exception>
    public static byte[]? ReadIfPresent(string dir, long maxBytes, params ReadOnlySpan<string> parts)
    {
        string path = Inside(dir, parts);
        if (Directory.Exists(path) && !File.Exists(path))
        {
            throw new GalleryFileException($"'{path}' is a folder, not a file.");
        }

        byte[] bytes;
        try
        {
            // Regular files only (no link, FIFO or device: checked before the open, and a FIFO cannot block it),
            // bytes counted as they are read: the one reader of untrusted files (Lucent.Net.Runtime.RegularFile).
            bytes = RegularFile.ReadAtMost(path, maxBytes, followSymbolicLinks: false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (NotRegularFileException e)
        {
            throw new GalleryFileException(e.Message, e);
        }

        if (bytes.Length > maxBytes)
        {
            throw new GalleryFileException(string.Create(CultureInfo.InvariantCulture, $"'{path}' holds more than {maxBytes} bytes; a file of its kind holds at most {maxBytes}."));
        }

        return bytes;
    }

    /// <summary>
    /// A value from a gallery file, fit for a one-line message: at most 80 characters, control characters (newlines,
    /// terminal escapes) written as <c>\uXXXX</c>.
    /// </summary>
    public static string Describe(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder(Math.Min(value.Length, 90));
        foreach (char c in value.Length > 80 ? value[..80] : value)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return value.Length > 80 ? builder.Append("...").ToString() : builder.ToString();
    }
}
