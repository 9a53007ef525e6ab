namespace ActivationMaximization;

/// <summary>The output folder (<c>--out</c>) could not be used; the message says why, in one line.</summary>
public sealed class OutputFolderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutputFolderException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong with the folder and how to fix it.</param>
    public OutputFolderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong with the folder and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public OutputFolderException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Checks the output folder before anything is rendered, so a bad <c>--out</c> fails in seconds, not after the render.</summary>
public static class OutputFolder
{
    /// <summary>
    /// Checks what can be checked without touching the disk: the path is not empty, is a valid path, is not a file and
    /// is not under a file.
    /// </summary>
    /// <param name="path">The <c>--out</c> value.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="OutputFolderException">The path cannot be a folder.</exception>
    public static string Check(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new OutputFolderException("--out is empty; give the folder to write the images and report to, e.g. --out artifacts/run1.");
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or IOException)
        {
            throw new OutputFolderException($"--out '{Printable(path)}' is not a valid path ({ex.Message}).", ex);
        }

        if (File.Exists(full))
        {
            throw new OutputFolderException($"--out '{full}' is a file, not a folder; give a folder (it is created if missing).");
        }

        for (string? parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                throw new OutputFolderException($"--out '{full}' is under '{parent}', which is a file; give a folder that is not inside a file.");
            }

            if (Directory.Exists(parent))
            {
                break;
            }
        }

        return full;
    }

    /// <summary>Creates the folder (and its <c>images</c> folder) and proves it is writable by writing and deleting a probe file.</summary>
    /// <param name="path">The <c>--out</c> value.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="OutputFolderException">The folder cannot be created or written.</exception>
    public static string Prepare(string? path)
    {
        string full = Check(path);
        string probe = Path.Combine(full, ExperimentRunner.ImagesFolder, ".write-probe-" + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            Directory.CreateDirectory(Path.Combine(full, ExperimentRunner.ImagesFolder));
            File.WriteAllBytes(probe, [0]);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException($"Cannot write to the output folder '{full}' ({FirstLine(ex.Message)}); give a folder you can write to with --out.", ex);
        }

        return full;
    }

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).TrimEnd('.', ' ', '\r');
    }
}
