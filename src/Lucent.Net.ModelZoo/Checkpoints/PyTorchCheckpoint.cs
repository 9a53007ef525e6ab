using System.Buffers.Binary;
using System.Numerics;
using Lucent.Net.ModelZoo.Checkpoints.Pickle;

namespace Lucent.Net.ModelZoo.Checkpoints;

/// <summary>
/// Reads PyTorch state dicts (<c>torch.save(model.state_dict(), path)</c>) safely, without Python.
/// </summary>
/// <remarks>
/// <para>Supported: the zip format (PyTorch 1.6 and later: <c>&lt;top&gt;/data.pkl</c>, <c>&lt;top&gt;/data/&lt;key&gt;</c>,
/// optional <c>&lt;top&gt;/byteorder</c>) and the legacy format (magic number, protocol 1001, system info, object
/// pickle, storage keys, raw storages). Float, half, bfloat16, double, long, int, short, char, byte and bool
/// storages; tensors rebuilt by <c>torch._utils._rebuild_tensor_v2</c>, including views with an offset and
/// arbitrary (for example transposed) strides into a shared storage.</para>
/// <para>Safety: the pickle is run by a restricted reader that accepts only the globals a state dict needs and
/// never executes anything; every size, offset and stride is checked against the bytes present, with
/// overflow-checked arithmetic, before anything is allocated. A truncated, corrupted or hostile file ends
/// in a <see cref="CheckpointFormatException"/>.</para>
/// </remarks>
public static class PyTorchCheckpoint
{
    /// <summary>The legacy format's magic number, 0x1950a86a20f9469cfc6c.</summary>
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    private const long LegacyProtocolVersion = 1001;

    /// <summary>Reads the state dict stored in the file at <paramref name="path"/>.</summary>
    /// <param name="path">A <c>.pth</c>/<c>.pt</c> file written by <c>torch.save(state_dict, path)</c>.</param>
    /// <param name="options">Reading options; null for the defaults (floating-point tensors become float32).</param>
    /// <returns>The tensors by name, in file order; the caller owns them (dispose the result).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The file is not a readable PyTorch state dict; the message says why.</exception>
    public static StateDict ReadStateDict(string path, CheckpointReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            return ReadStateDict(stream, options);
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException($"Cannot read the checkpoint '{path}': {e.Message}", e) { RefusedGlobal = e.RefusedGlobal };
        }
    }

    /// <summary>Reads the state dict stored in <paramref name="stream"/>.</summary>
    /// <param name="stream">The checkpoint's bytes from the current position; a stream that cannot seek is first copied into memory.</param>
    /// <param name="options">Reading options; null for the defaults (floating-point tensors become float32).</param>
    /// <returns>The tensors by name, in file order; the caller owns them (dispose the result).</returns>
    /// <exception cref="CheckpointFormatException">The bytes are not a readable PyTorch state dict; the message says why.</exception>
    public static StateDict ReadStateDict(Stream stream, CheckpointReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= CheckpointReadOptions.Default;

        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        else if (stream.Position != 0)
        {
            // Treat the rest of the stream as the checkpoint.
            stream = new SubStream(stream, stream.Position, stream.Length - stream.Position);
        }

        try
        {
            Span<byte> head = stackalloc byte[4];
            int read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            stream.Position = 0;
            if (read == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
            {
                return ReadZip(stream, options);
            }

            if (read >= 2 && head[0] == 0x80)
            {
                return ReadLegacy(stream, options);
            }

            throw new CheckpointFormatException(
                read == 0
                    ? "The checkpoint is empty."
                    : "This is not a PyTorch checkpoint: it is neither a zip archive (PyTorch 1.6 and later) nor a legacy pickle file.");
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException("The checkpoint is truncated.", e);
        }
    }

    private static StateDict ReadZip(Stream stream, CheckpointReadOptions options)
    {
        var archive = StoredZipArchive.Open(stream);
        StoredZipArchive.Entry? pickleEntry = null;
        foreach (var entry in archive.Entries)
        {
            string name = entry.Name;
            int slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && name.AsSpan(slash + 1).SequenceEqual("data.pkl"))
            {
                if (pickleEntry is not null)
                {
                    throw new CheckpointFormatException("The zip archive holds more than one data.pkl.");
                }

                pickleEntry = entry;
            }
        }

        if (pickleEntry is null)
        {
            bool torchScript = archive.Entries.Any(e => e.Name.EndsWith("/constants.pkl", StringComparison.Ordinal));
            throw new CheckpointFormatException(torchScript
                ? "This is a TorchScript archive (torch.jit.save), not a state dict. In Python, save model.state_dict() with torch.save instead."
                : "The zip archive has no '<top>/data.pkl' entry, so it is not a PyTorch checkpoint.");
        }

        string top = pickleEntry.Name[..pickleEntry.Name.IndexOf('/', StringComparison.Ordinal)];
        bool bigEndian = false;
        var byteOrderEntry = archive.GetEntry(top + "/byteorder");
        if (byteOrderEntry is not null)
        {
            if (byteOrderEntry.Length > 16)
            {
                throw new CheckpointFormatException($"The byteorder entry has {byteOrderEntry.Length} bytes; expected 'little' or 'big'.");
            }

            string order = System.Text.Encoding.ASCII.GetString(archive.Read(byteOrderEntry)).Trim();
            bigEndian = order switch
            {
                "little" => false,
                "big" => true,
                _ => throw new CheckpointFormatException($"The byteorder entry says '{PickleText.Truncate(order)}'; expected 'little' or 'big'."),
            };
        }

        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        object? root;
        using (var pickle = new MemoryStream(archive.Read(pickleEntry), writable: false))
        {
            root = new RestrictedUnpickler(pickle, pid => LoadZipStorage(pid, storages)).Load();
        }

        var specs = StateDictBuilder.Collect(root);
        foreach (var storage in StateDictBuilder.ReferencedStorages(specs))
        {
            var entry = archive.GetEntry($"{top}/data/{storage.Key}")
                ?? throw new CheckpointFormatException($"The archive has no data for storage '{storage.Key}' ('{top}/data/{storage.Key}' is missing).");
            long needed = StateDictBuilder.ByteLength(storage);
            if (entry.Length < needed)
            {
                throw new CheckpointFormatException(
                    $"Storage '{storage.Key}' declares {storage.Numel} {storage.ElementType.PythonDType} elements ({needed} bytes) but its entry holds {entry.Length} bytes.");
            }

            // Each storage key names its own entry and entries never overlap, so every byte is read at most once.
            byte[] data = archive.Read(entry);
            storage.Data = data.LongLength == needed ? data : data.AsSpan(0, (int)needed).ToArray();
        }

        return StateDictBuilder.Build(specs, options, bigEndian);
    }

    private static StorageSlice LoadZipStorage(object? pid, Dictionary<string, StorageRef> storages)
    {
        // ('storage', storage_type, key, location, numel)
        if (pid is not PyTuple { Items: ["storage", PyGlobal { Kind: GlobalKind.StorageType } type, string key, string location, long numel] })
        {
            throw new CheckpointFormatException(
                $"Unsupported persistent id {PickleText.Describe(pid)}; expected ('storage', <storage type>, key, location, numel).");
        }

        var root = GetOrAddStorage(storages, type, key, location, numel);
        return new StorageSlice(root, 0, root.Numel);
    }

    private static StorageRef GetOrAddStorage(Dictionary<string, StorageRef> storages, PyGlobal type, string key, string location, long numel)
    {
        if (numel < 0)
        {
            throw new CheckpointFormatException($"Storage '{PickleText.Truncate(key)}' declares a negative size {numel}.");
        }

        if (key.Length == 0 || key.Length > 64 || key.Contains('/', StringComparison.Ordinal) || key.Contains('\\', StringComparison.Ordinal))
        {
            throw new CheckpointFormatException($"Invalid storage key '{PickleText.Truncate(key)}'.");
        }

        var elementType = type.ElementType!;
        if (storages.TryGetValue(key, out var existing))
        {
            if (existing.ElementType != elementType || existing.Numel != numel)
            {
                throw new CheckpointFormatException($"Storage '{key}' is declared twice with different types or sizes (corrupted data).");
            }

            return existing;
        }

        var storage = new StorageRef(key, elementType, numel, location);
        storages.Add(key, storage);
        return storage;
    }

    private static StateDict ReadLegacy(Stream stream, CheckpointReadOptions options)
    {
        static RestrictedUnpickler Plain(Stream s) => new(s, _ => throw new CheckpointFormatException("Unexpected persistent id in a header pickle."));

        object? magic = Plain(stream).Load();
        if (!(magic is BigInteger m && m == LegacyMagic))
        {
            throw new CheckpointFormatException(
                $"This is a pickle but not a PyTorch checkpoint: the first value is {PickleText.Describe(magic)}, not the legacy magic number 0x1950a86a20f9469cfc6c.");
        }

        object? protocol = Plain(stream).Load();
        if (protocol is not long p || p != LegacyProtocolVersion)
        {
            throw new CheckpointFormatException($"Unsupported legacy checkpoint protocol {PickleText.Describe(protocol)}; only {LegacyProtocolVersion} is supported.");
        }

        object? sysInfo = Plain(stream).Load();
        if (sysInfo is not PyDict info)
        {
            throw new CheckpointFormatException($"The legacy header's system info is {PickleText.Describe(sysInfo)}, not a dict.");
        }

        foreach (var (key, value) in info.Entries)
        {
            if (key is "little_endian" && value is false)
            {
                throw new CheckpointFormatException("This legacy checkpoint was written on a big-endian machine, which is not supported. Re-save it with a current PyTorch.");
            }
        }

        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        object? root = new RestrictedUnpickler(stream, pid => LoadLegacyStorage(pid, storages)).Load();
        var specs = StateDictBuilder.Collect(root);

        object? keyList = Plain(stream).Load();
        if (keyList is not PyList keys)
        {
            throw new CheckpointFormatException($"The legacy storage key list is {PickleText.Describe(keyList)}, not a list.");
        }

        Span<byte> numelBytes = stackalloc byte[8];
        foreach (object? keyObject in keys.Items)
        {
            if (keyObject is not string key || !storages.TryGetValue(key, out var storage))
            {
                throw new CheckpointFormatException($"The legacy storage list names {PickleText.Describe(keyObject)}, which no tensor uses (corrupted data).");
            }

            if (storage.Data is not null)
            {
                throw new CheckpointFormatException($"The legacy storage list names '{key}' twice (corrupted data).");
            }

            if (stream.ReadAtLeast(numelBytes, 8, throwOnEndOfStream: false) != 8)
            {
                throw new CheckpointFormatException($"The checkpoint is truncated: the size of storage '{key}' is missing.");
            }

            long numel = BinaryPrimitives.ReadInt64LittleEndian(numelBytes);
            if (numel != storage.Numel)
            {
                throw new CheckpointFormatException($"Storage '{key}' is declared with {storage.Numel} elements but its data says {numel} (corrupted data).");
            }

            long needed = StateDictBuilder.ByteLength(storage);
            long remaining = stream.Length - stream.Position;
            if (needed > remaining || needed > Array.MaxLength)
            {
                throw new CheckpointFormatException(
                    $"The checkpoint is truncated: storage '{key}' needs {needed} bytes but only {remaining} are left.");
            }

            var data = new byte[needed];
            stream.ReadExactly(data);
            storage.Data = data;
        }

        return StateDictBuilder.Build(specs, options, bigEndian: false);
    }

    private static StorageSlice LoadLegacyStorage(object? pid, Dictionary<string, StorageRef> storages)
    {
        // ('storage', storage_type, root_key, location, numel, view_metadata)
        if (pid is not PyTuple { Items: ["storage", PyGlobal { Kind: GlobalKind.StorageType } type, string key, string location, long numel, var view] })
        {
            throw new CheckpointFormatException(
                $"Unsupported persistent id {PickleText.Describe(pid)}; expected ('storage', <storage type>, key, location, numel, view_metadata).");
        }

        var root = GetOrAddStorage(storages, type, key, location, numel);
        switch (view)
        {
            case null:
                return new StorageSlice(root, 0, root.Numel);
            case PyTuple { Items: [string, long offset, long size] }
                when offset >= 0 && size >= 0 && offset <= root.Numel && size <= root.Numel - offset:
                return new StorageSlice(root, offset, size);
            default:
                throw new CheckpointFormatException($"Storage '{key}' has invalid view metadata {PickleText.Describe(view)}.");
        }
    }

    /// <summary>A read-only window onto part of a seekable stream.</summary>
    private sealed class SubStream(Stream inner, long start, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long left = length - _position;
            if (left <= 0)
            {
                return 0;
            }

            if (buffer.Length > left)
            {
                buffer = buffer[..(int)left];
            }

            inner.Position = start + _position;
            int read = inner.Read(buffer);
            _position += read;
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
