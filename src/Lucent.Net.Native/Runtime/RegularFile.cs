using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lucent.Net.Runtime;

/// <summary>
/// Opens files that someone else may have placed (a shared cache folder, a gallery folder, a downloaded
/// image) so that only regular files are read and reads stay bounded: a symbolic link (unless allowed),
/// a FIFO, a socket, a character or block device (<c>/dev/zero</c>, <c>/dev/urandom</c>) or a directory
/// is refused with <see cref="NotRegularFileException"/> before a byte is read, and
/// <see cref="ReadAtMost"/> counts the bytes as they arrive instead of trusting the file's length.
/// </summary>
/// <remarks>
/// On Linux the file's type is read with <c>statx</c> without following a final symbolic link (or
/// following it, when allowed), the file is opened non-blocking (so a FIFO swapped in after the check
/// cannot hang the open) and without following a final symbolic link, and the opened file must be the
/// same regular file (device and inode) that was checked. Elsewhere, or where the C library lacks
/// <c>statx</c> (glibc older than 2.28), symbolic links and directories are refused from .NET's own file
/// information and reads are bounded all the same, but a FIFO or a device is not recognised before it is opened.
/// </remarks>
public static partial class RegularFile
{
    /// <summary>Opens <paramref name="path"/> for reading if it is a regular file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="followSymbolicLinks">Whether a final symbolic link is followed (its target must then be a regular file); when false a symbolic link is refused.</param>
    /// <returns>A read-only stream over the file.</returns>
    /// <exception cref="ArgumentException">The path is empty or contains a NUL character.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NotRegularFileException">The path names a symbolic link (when not followed), a directory, a FIFO, a socket or a device, or it changed while being opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="IOException">Another error prevented opening the file.</exception>
    public static FileStream OpenRead(string path, bool followSymbolicLinks)
    {
        var (handle, _) = OpenHandle(path, followSymbolicLinks);
        try
        {
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads a regular file, but never more than <paramref name="maxBytes"/> + 1 bytes, counted as they are
    /// read (a device's or a growing file's reported length is not trusted). A result longer than
    /// <paramref name="maxBytes"/> means the file is over the limit; the caller reports that in its own terms.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes the caller accepts.</param>
    /// <param name="followSymbolicLinks">Whether a final symbolic link is followed (its target must then be a regular file).</param>
    /// <returns>The file's content, or its first <paramref name="maxBytes"/> + 1 bytes when it is longer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is negative or too large for an array.</exception>
    /// <exception cref="ArgumentException">The path is empty or contains a NUL character.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NotRegularFileException">The path names something other than a regular file.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="IOException">Another error prevented reading the file.</exception>
    public static byte[] ReadAtMost(string path, long maxBytes, bool followSymbolicLinks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(maxBytes, (long)Array.MaxLength);
        var (handle, status) = OpenHandle(path, followSymbolicLinks);
        using (handle)
        {
            return ReadHandleAtMost(handle, status?.Size ?? 0, (int)maxBytes);
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> + 1 bytes from the start of an open file, counting them.</summary>
    internal static byte[] ReadHandleAtMost(SafeFileHandle handle, long sizeHint, int maxBytes)
    {
        int limit = maxBytes + 1;
        var buffer = new byte[(int)Math.Clamp(sizeHint + 1, 1, Math.Min(limit, 1 << 20))];
        int count = 0;
        while (count < limit)
        {
            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(limit, (long)buffer.Length * 2));
            }

            int read = RandomAccess.Read(handle, buffer.AsSpan(count), count);
            if (read == 0)
            {
                break;
            }

            count += read;
        }

        return count == buffer.Length ? buffer : buffer[..count];
    }

    /// <summary>The kind of a file-system entry, as <c>statx</c> reports it.</summary>
    internal enum Kind
    {
        /// <summary>A regular file.</summary>
        Regular,
        /// <summary>A directory.</summary>
        Directory,
        /// <summary>A symbolic link.</summary>
        SymbolicLink,
        /// <summary>A FIFO (named pipe).</summary>
        Fifo,
        /// <summary>A character device.</summary>
        CharacterDevice,
        /// <summary>A block device.</summary>
        BlockDevice,
        /// <summary>A socket.</summary>
        Socket,
        /// <summary>Anything else.</summary>
        Unknown,
    }

    /// <summary>What <c>statx</c> says about a file.</summary>
    /// <param name="Type">The kind of entry.</param>
    /// <param name="Permissions">The permission bits (<c>0o7777</c>).</param>
    /// <param name="Owner">The owner's user id.</param>
    /// <param name="Size">The length in bytes.</param>
    /// <param name="Device">The device holding it.</param>
    /// <param name="Inode">The inode number.</param>
    internal readonly record struct Status(Kind Type, int Permissions, uint Owner, long Size, ulong Device, ulong Inode);

    /// <summary>The process's effective user id on Linux; null elsewhere.</summary>
    internal static uint? EffectiveUserId => OperatingSystem.IsLinux() ? NativeMethods.geteuid() : null;

    /// <summary>Whether this process can read file types with <c>statx</c> (Linux, glibc 2.28 or later).</summary>
    internal static bool HasStatx { get; } = ProbeStatx();

    /// <summary>
    /// Opens <paramref name="path"/> if it is a regular file; returns the handle and, where <c>statx</c> is
    /// available, the opened file's status.
    /// </summary>
    internal static (SafeFileHandle Handle, Status? Status) OpenHandle(string path, bool followSymbolicLinks)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The path contains a NUL character; no file has such a name.", nameof(path));
        }

        string full = Path.GetFullPath(path);
        return HasStatx ? OpenOnLinux(path, full, followSymbolicLinks) : OpenPortably(path, full, followSymbolicLinks);
    }

    /// <summary>The status of the entry at <paramref name="path"/>, or null when it does not exist or <c>statx</c> is unavailable.</summary>
    internal static Status? TryGetStatus(string path, bool followSymbolicLinks)
    {
        if (!HasStatx)
        {
            return null;
        }

        int result = Statx(NativeMethods.AtFdCwd, Path.GetFullPath(path), followSymbolicLinks ? 0 : NativeMethods.AtSymlinkNoFollow, out var status);
        return result == 0 ? status : null;
    }

    /// <summary>The status of an open file, or null when <c>statx</c> is unavailable or fails.</summary>
    internal static Status? TryGetStatus(SafeFileHandle handle)
    {
        if (!HasStatx)
        {
            return null;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            return Statx(fd, "", NativeMethods.AtEmptyPath, out var status) == 0 ? status : null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>A kind in words, for messages.</summary>
    internal static string Describe(Kind kind) => kind switch
    {
        Kind.Regular => "a regular file",
        Kind.Directory => "a directory",
        Kind.SymbolicLink => "a symbolic link",
        Kind.Fifo => "a FIFO (named pipe)",
        Kind.CharacterDevice => "a character device",
        Kind.BlockDevice => "a block device",
        Kind.Socket => "a socket",
        _ => "not a regular file",
    };

    private static (SafeFileHandle, Status?) OpenOnLinux(string path, string full, bool follow)
    {
        int flags = follow ? 0 : NativeMethods.AtSymlinkNoFollow;
        if (Statx(NativeMethods.AtFdCwd, full, flags, out var before) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw Failure(path, error);
        }

        if (before.Type != Kind.Regular)
        {
            throw NotRegular(path, before.Type);
        }

        int openFlags = NativeMethods.ORdOnly | NativeMethods.ONonBlock | NativeMethods.ONoCtty | NativeMethods.OCloExec |
            (follow ? 0 : NativeMethods.ONoFollow);
        int fd = NativeMethods.open(full, openFlags);
        if (fd < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw error == NativeMethods.Eloop && !follow
                ? NotRegular(path, Kind.SymbolicLink)
                : Failure(path, error);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var after = TryGetStatus(handle);
        if (after is not { Type: Kind.Regular } opened || opened.Device != before.Device || opened.Inode != before.Inode)
        {
            handle.Dispose();
            throw new NotRegularFileException(
                $"'{path}' changed while it was being opened (it is no longer the regular file that was checked); it was not read. " +
                "Make sure nothing else writes to that folder.");
        }

        return (handle, opened);
    }

    private static (SafeFileHandle, Status?) OpenPortably(string path, string full, bool follow)
    {
        var info = new FileInfo(full);
        if (info.LinkTarget is not null)
        {
            if (!follow)
            {
                throw NotRegular(path, Kind.SymbolicLink);
            }

            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is DirectoryInfo)
            {
                throw NotRegular(path, Kind.Directory);
            }
        }

        if (Directory.Exists(full))
        {
            throw NotRegular(path, Kind.Directory);
        }

        if (!info.Exists)
        {
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        }

        return (File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.Read), null);
    }

    private static NotRegularFileException NotRegular(string path, Kind kind) => new(
        $"'{path}' is {Describe(kind)}, not a regular file, so it was not read. Only regular files are accepted here" +
        (kind == Kind.SymbolicLink ? " (symbolic links are not followed); copy the file itself into place." : "."));

    private static Exception Failure(string path, int error) => error switch
    {
        NativeMethods.Enoent or NativeMethods.Enotdir => new FileNotFoundException($"'{path}' does not exist.", path),
        NativeMethods.Eacces or NativeMethods.Eperm => new UnauthorizedAccessException($"'{path}' may not be read by this user."),
        _ => new IOException($"'{path}' could not be opened: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})."),
    };

    private static unsafe int Statx(int dirfd, string path, int flags, out Status status)
    {
        const uint basicStats = 0x7ff;
        byte* buffer = stackalloc byte[256];
        new Span<byte>(buffer, 256).Clear();
        int result = NativeMethods.statx(dirfd, path, flags, basicStats, buffer);
        if (result != 0)
        {
            status = default;
            return result;
        }

        var span = new ReadOnlySpan<byte>(buffer, 256);
        uint owner = BinaryPrimitives.ReadUInt32LittleEndian(span[20..]);
        ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(span[40..]);
        ulong device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(span[140..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            0xA000 => Kind.SymbolicLink,
            0x1000 => Kind.Fifo,
            0x2000 => Kind.CharacterDevice,
            0x6000 => Kind.BlockDevice,
            0xC000 => Kind.Socket,
            _ => Kind.Unknown,
        };
        status = new Status(kind, mode & 0xFFF, owner, (long)Math.Min(size, long.MaxValue), device, inode);
        return 0;
    }

    private static bool ProbeStatx()
    {
        if (!OperatingSystem.IsLinux() || !BitConverter.IsLittleEndian ||
            RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return false;
        }

        try
        {
            return Statx(NativeMethods.AtFdCwd, "/", 0, out var root) == 0 && root.Type == Kind.Directory;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    private static partial class NativeMethods
    {
        public const int AtFdCwd = -100;
        public const int AtSymlinkNoFollow = 0x100;
        public const int AtEmptyPath = 0x1000;
        public const int ORdOnly = 0;
        public const int ONoCtty = 0x100;
        public const int ONonBlock = 0x800;
        public const int OCloExec = 0x80000;
        public const int Eperm = 1;
        public const int Enoent = 2;
        public const int Eacces = 13;
        public const int Enotdir = 20;
        public const int Eloop = 40;

        /// <summary>O_NOFOLLOW, which differs between the x86 and Arm Linux ABIs.</summary>
        public static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "geteuid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial uint geteuid();
    }
}

/// <summary>
/// A path that should name a regular file names something else: a symbolic link where links are not
/// followed, a directory, a FIFO, a socket or a device, or a file that was replaced while it was being
/// opened. Nothing was read from it.
/// </summary>
public sealed class NotRegularFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    public NotRegularFileException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What the path names and what to do.</param>
    public NotRegularFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What the path names and what to do.</param>
    /// <param name="innerException">The underlying failure.</param>
    public NotRegularFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
