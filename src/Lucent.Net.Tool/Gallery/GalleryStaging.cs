using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Lucent.Net.Tool.Gallery;

/// <summary>
/// A unit's private staging folder, <c>DIR/.staging/UNIT.PID.GUID</c>, and its lock file beside it
/// (<c>UNIT.PID.GUID.lock</c>, holding the worker's host and process id). The worker creates the lock file first and
/// holds it open with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Linux, which NFS clients turn into a
/// server-side lock) until the folder is gone, so another worker never takes a live worker's folder for a stale one
/// (<see cref="RemoveStale"/>).
/// </summary>
internal sealed partial class StagingArea : IDisposable
{
    public const string LockSuffix = ".lock";

    private readonly FileStream _lock;

    private StagingArea(string folder, FileStream heldLock)
    {
        Folder = folder;
        _lock = heldLock;
    }

    /// <summary>The staging folder (empty when made).</summary>
    public string Folder { get; }

    /// <summary>Makes a staging folder for <paramref name="unitId"/> under DIR/.staging, its lock held.</summary>
    public static StagingArea Create(string dir, string unitId)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"{unitId}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        string lockPath = GalleryPaths.Inside(dir, GalleryFiles.StagingFolder, name + LockSuffix);
        FileStream held;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // Another worker may remove an empty DIR/.staging at the end of its run: make it again and retry.
                Directory.CreateDirectory(GalleryPaths.Inside(dir, GalleryFiles.StagingFolder));
                held = new FileStream(lockPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                break;
            }
            catch (DirectoryNotFoundException) when (attempt < 100)
            {
                // DIR/.staging was removed under us: create it again.
            }
        }

        try
        {
            held.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}\n{Environment.ProcessId}\n")));
            held.Flush();
            string folder = GalleryPaths.Inside(dir, GalleryFiles.StagingFolder, name);
            Directory.CreateDirectory(folder);
            return new StagingArea(folder, held);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Removes the folder (what is left in it), then the lock file (deleted as it is closed).</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        finally
        {
            _lock.Dispose();
        }
    }

    /// <summary>
    /// Deletes the staging folders (and lock files) a killed worker left for <paramref name="unitId"/>. Only entries of
    /// DIR/.staging whose names are exactly <c>UNIT.PID.GUID</c> (32 hex digits) or that plus <c>.lock</c> are considered,
    /// links are never followed or deleted, and a folder is deleted only when its lock can be taken and its owner,
    /// when it ran on this host, is no longer running.
    /// </summary>
    /// <returns>How many stale folders were deleted.</returns>
    public static int RemoveStale(string dir, string unitId)
    {
        string root = GalleryPaths.Inside(dir, GalleryFiles.StagingFolder);
        if (!GalleryPaths.IsSafeName(unitId) || !Directory.Exists(root))
        {
            return 0;
        }

        var stems = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(root, unitId + ".*"))
            {
                string name = Path.GetFileName(entry);
                string stem = name.EndsWith(LockSuffix, StringComparison.Ordinal) ? name[..^LockSuffix.Length] : name;
                if (stem.Length > unitId.Length + 1 && stem.StartsWith(unitId + ".", StringComparison.Ordinal) && OwnerSuffix().IsMatch(stem.AsSpan(unitId.Length + 1)))
                {
                    stems.Add(stem);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            return 0; // removed empty by a worker that finished its run
        }

        int removed = 0;
        foreach (string stem in stems)
        {
            removed += TryRemove(root, stem) ? 1 : 0;
        }

        return removed;
    }

    private static bool TryRemove(string root, string stem)
    {
        string folder = Path.Join(root, stem);
        string lockPath = folder + LockSuffix;
        if (new FileInfo(folder).LinkTarget is not null || new FileInfo(lockPath).LinkTarget is not null || Directory.Exists(lockPath) || File.Exists(folder))
        {
            return false; // not what a worker makes: leave it alone
        }

        FileStream held;
        try
        {
            held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException)
        {
            return false; // a live worker holds it (or it just went away)
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        using (held)
        {
            if (OwnerIsAlive(held))
            {
                return false;
            }

            bool removed = false;
            if (Directory.Exists(folder) && new FileInfo(folder).LinkTarget is null)
            {
                // .NET's recursive delete unlinks links inside the folder rather than following them.
                Directory.Delete(folder, recursive: true);
                removed = true;
            }

            File.Delete(lockPath);
            return removed;
        }
    }

    /// <summary>
    /// Whether the lock file names a worker on this host whose process still runs (a second check, for file systems
    /// where <c>flock</c> is not enforced; a process id reused since only keeps a stale folder a while longer).
    /// </summary>
    private static bool OwnerIsAlive(FileStream held)
    {
        byte[] buffer = new byte[512];
        int length = held.Read(buffer, 0, buffer.Length);
        string[] lines = Encoding.UTF8.GetString(buffer, 0, length).Split('\n');
        if (lines.Length < 2
            || lines[0] != Environment.MachineName
            || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || pid == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>What follows <c>UNIT.</c> in a staging folder's name: the process id and 32 hex digits.</summary>
    [GeneratedRegex(@"\A[0-9]{1,10}\.[0-9a-f]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex OwnerSuffix();
}
