using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Lucent.Net.Runtime;

/// <summary>
/// The patched copy of <c>libLibTorchSharp.so</c> in the cache folder (see <see cref="LucentRuntime"/>).
/// The cache folder may be shared or writable by others, so a cached file is used only when it is
/// byte for byte the copy this process would write: the patch is deterministic, so the expected bytes
/// are computed in memory from the shipped library and compared with the cached file's content, read
/// through the same open file that is then loaded (<c>/proc/self/fd/N</c>), so it cannot be swapped
/// between the check and the load. The file must be a regular file (not a symbolic link, FIFO or
/// device), owned by this user (or root) and writable by nobody else; otherwise it is re-created
/// atomically (temporary file, then rename) and checked again.
/// </summary>
internal static class CompatibilityCopy
{
    /// <summary>The file name of the copy (its soname, so TorchSharp's own lookup finds the loaded copy).</summary>
    public const string FileName = "libLibTorchSharp.so";

    /// <summary>The most bytes read from the shipped library.</summary>
    private const long MaxLibraryBytes = 1L << 30;

    /// <summary>Group-write and other-write permission bits (<c>0o022</c>).</summary>
    private const int WritableByOthers = 0x12;

    /// <summary>Copies loaded by this process, kept open for its lifetime so that their <c>/proc/self/fd</c> names stay theirs.</summary>
    private static readonly List<Verified> Loaded = [];

    /// <summary>Reads the shipped library and makes the patched bytes: each version in <paramref name="versions"/> marked weak.</summary>
    /// <param name="originalPath">The shipped <c>libLibTorchSharp.so</c>.</param>
    /// <param name="versions">The symbol versions to mark weak.</param>
    /// <returns>The patched bytes and the cache folder name (derived from the shipped library's hash).</returns>
    public static (byte[] Patched, string Folder) Patch(string originalPath, IEnumerable<string> versions)
    {
        byte[] bytes = RegularFile.ReadAtMost(originalPath, MaxLibraryBytes, followSymbolicLinks: true);
        if (bytes.LongLength > MaxLibraryBytes)
        {
            throw new NativeRuntimeException($"TorchSharp's native library '{originalPath}' is larger than {MaxLibraryBytes} bytes; it is not a libLibTorchSharp.so this version of Lucent.Net can patch.");
        }

        string folder = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        foreach (string version in versions)
        {
            ElfVersionPatcher.MarkVersionWeak(bytes, version);
        }

        return (bytes, folder);
    }

    /// <summary>
    /// Finds or writes the verified copy of <paramref name="patched"/> under the first usable cache root.
    /// </summary>
    /// <param name="patched">The bytes the copy must hold.</param>
    /// <param name="folder">The folder name under <c>lucent-net/native</c>.</param>
    /// <param name="roots">Cache roots, most preferred first.</param>
    /// <returns>The verified copy, open.</returns>
    /// <exception cref="NativeRuntimeException">No root holds or accepts a verified copy.</exception>
    public static Verified Prepare(byte[] patched, string folder, IEnumerable<string> roots)
    {
        ArgumentNullException.ThrowIfNull(patched);
        var problems = new List<string>();
        Exception? lastError = null;
        foreach (string root in roots)
        {
            string target = Path.Combine(root, "lucent-net", "native", folder, FileName);
            string? repaired = null;
            try
            {
                if (Present(target))
                {
                    if (TryOpenVerified(target, patched, out string? problem) is { } cached)
                    {
                        return cached;
                    }

                    repaired = problem;
                }

                Write(target, patched);
                if (TryOpenVerified(target, patched, out string? afterWrite) is { } written)
                {
                    written.Repaired = repaired;
                    return written;
                }

                problems.Add($"'{target}' {afterWrite} right after it was written");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                lastError = ex;
                problems.Add(repaired is null ? $"'{target}': {ex.Message}" : $"'{target}' {repaired}, and replacing it failed: {ex.Message}");
            }
        }

        throw new NativeRuntimeException(
            "Could not write and verify a compatibility copy of TorchSharp's native library in any cache folder " +
            "(tried $LUCENT_NET_CACHE, $XDG_CACHE_HOME, ~/.cache and the temp folder): " + string.Join("; ", problems) +
            ". Point LUCENT_NET_CACHE at a folder only this user can write.",
            lastError);
    }

    /// <summary>
    /// Opens <paramref name="target"/> and returns it when it is a regular file owned by this user (or root),
    /// writable by nobody else, whose content is exactly <paramref name="expected"/>; otherwise null and why.
    /// </summary>
    internal static Verified? TryOpenVerified(string target, byte[] expected, out string? problem)
    {
        SafeFileHandle handle;
        RegularFile.Status? status;
        try
        {
            (handle, status) = RegularFile.OpenHandle(target, followSymbolicLinks: false);
        }
        catch (FileNotFoundException)
        {
            problem = "is missing";
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = "could not be opened as a regular file (" + ex.Message + ")";
            return null;
        }

        try
        {
            problem = null;
            if (status is { } known)
            {
                uint? me = RegularFile.EffectiveUserId;
                if (known.Owner != me && known.Owner != 0)
                {
                    problem = string.Create(CultureInfo.InvariantCulture, $"is owned by user {known.Owner}, not by this user");
                }
                else if ((known.Permissions & WritableByOthers) != 0)
                {
                    problem = string.Create(CultureInfo.InvariantCulture, $"is writable by other users (mode {Convert.ToString(known.Permissions, 8)})");
                }
            }

            if (problem is null)
            {
                byte[] content = RegularFile.ReadHandleAtMost(handle, expected.Length, expected.Length);
                if (!content.AsSpan().SequenceEqual(expected))
                {
                    problem = content.Length == expected.Length
                        ? "differs in content from the copy this process would write"
                        : string.Create(CultureInfo.InvariantCulture, $"has {(content.Length > expected.Length ? "more than " + expected.Length : content.Length)} bytes, not the {expected.Length} of the copy this process would write");
                }
            }

            if (problem is not null)
            {
                handle.Dispose();
                return null;
            }

            return new Verified(target, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Keeps a loaded copy's file open for the rest of the process.</summary>
    /// <param name="copy">The copy that was loaded.</param>
    public static void KeepOpen(Verified copy)
    {
        lock (Loaded)
        {
            Loaded.Add(copy);
        }
    }

    private static bool Present(string path)
    {
        if (RegularFile.TryGetStatus(path, followSymbolicLinks: false) is not null)
        {
            return true;
        }

        var info = new FileInfo(path);
        return info.Exists || info.LinkTarget is not null;
    }

    private static void Write(string target, byte[] bytes)
    {
        string dir = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $".{FileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The original failure matters more than a leftover temporary file.
            }

            throw;
        }
    }

    /// <summary>A verified copy, open; load it through <see cref="LoadPath"/> while this object is alive.</summary>
    internal sealed class Verified : IDisposable
    {
        private readonly SafeFileHandle _handle;

        public Verified(string path, SafeFileHandle handle)
        {
            Path = path;
            _handle = handle;
            LoadPath = OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd")
                ? "/proc/self/fd/" + handle.DangerousGetHandle().ToInt64().ToString(CultureInfo.InvariantCulture)
                : path;
        }

        /// <summary>The copy's path in the cache folder.</summary>
        public string Path { get; }

        /// <summary>The name to load: the open, verified file itself (<c>/proc/self/fd/N</c>) where the system offers it, else <see cref="Path"/>.</summary>
        public string LoadPath { get; }

        /// <summary>Why a cached file was replaced, or null when none was (or one was reused).</summary>
        public string? Repaired { get; set; }

        /// <summary>The open file.</summary>
        internal SafeFileHandle Handle => _handle;

        /// <inheritdoc/>
        public void Dispose() => _handle.Dispose();
    }
}
