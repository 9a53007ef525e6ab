using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Lucent.Net.ModelZoo.Tests.Checkpoints;

/// <summary>
/// Emits pickle opcodes the way CPython's pickler does for protocol 2 (what torch.save uses): BINPUT after
/// every memoizable object, BINGET for repeats, TUPLE1-3 for short tuples, BININT1/BININT2/BININT/LONG1 by size.
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream buffer = new();
    private readonly Dictionary<string, int> memoKeys = new(StringComparer.Ordinal);
    private int nextMemo;

    public byte[] ToArray() => buffer.ToArray();

    public PickleWriter Op(byte op)
    {
        buffer.WriteByte(op);
        return this;
    }

    public PickleWriter Raw(ReadOnlySpan<byte> bytes)
    {
        buffer.Write(bytes);
        return this;
    }

    public PickleWriter Proto(int protocol = 2) => Op(0x80).Op((byte)protocol);

    public PickleWriter Stop() => Op((byte)'.');

    public PickleWriter Mark() => Op((byte)'(');

    public PickleWriter Tuple() => Op((byte)'t');

    public PickleWriter EmptyTuple() => Op((byte)')');

    public PickleWriter EmptyDict() => Op((byte)'}');

    public PickleWriter EmptyList() => Op((byte)']');

    public PickleWriter SetItems() => Op((byte)'u');

    public PickleWriter SetItem() => Op((byte)'s');

    public PickleWriter Appends() => Op((byte)'e');

    public PickleWriter Reduce() => Op((byte)'R');

    public PickleWriter Build() => Op((byte)'b');

    public PickleWriter BinPersId() => Op((byte)'Q');

    public PickleWriter None() => Op((byte)'N');

    public PickleWriter Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89);

    /// <summary>BINPUT/LONG_BINPUT of the next memo index; remembers it under <paramref name="key"/> when given.</summary>
    public PickleWriter Put(string? key = null)
    {
        int index = nextMemo++;
        if (key is not null)
        {
            memoKeys[key] = index;
        }

        if (index < 256)
        {
            return Op((byte)'q').Op((byte)index);
        }

        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, index);
        return Op((byte)'r').Raw(b);
    }

    public bool TryGet(string key)
    {
        if (!memoKeys.TryGetValue(key, out int index))
        {
            return false;
        }

        if (index < 256)
        {
            Op((byte)'h').Op((byte)index);
        }
        else
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, index);
            Op((byte)'j').Raw(b);
        }

        return true;
    }

    /// <summary>A str, memoized like CPython does (a repeated identical str object is fetched with BINGET).</summary>
    public PickleWriter Str(string value, bool memoize = true)
    {
        if (memoize && TryGet("str:" + value))
        {
            return this;
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, utf8.Length);
        Op((byte)'X').Raw(len).Raw(utf8);
        return memoize ? Put("str:" + value) : this;
    }

    public PickleWriter Global(string module, string name)
    {
        if (TryGet($"global:{module}.{name}"))
        {
            return this;
        }

        Op((byte)'c').Raw(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
        return Put($"global:{module}.{name}");
    }

    public PickleWriter Int(long value)
    {
        Span<byte> b = stackalloc byte[8];
        if (value is >= 0 and < 256)
        {
            return Op((byte)'K').Op((byte)value);
        }

        if (value is >= 0 and < 65536)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
            return Op((byte)'M').Raw(b[..2]);
        }

        if (value is >= int.MinValue and <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
            return Op((byte)'J').Raw(b[..4]);
        }

        return Long(value);
    }

    public PickleWriter Long(BigInteger value)
    {
        byte[] bytes = value.ToByteArray(isUnsigned: false, isBigEndian: false);
        return Op(0x8a).Op((byte)bytes.Length).Raw(bytes);
    }

    /// <summary>A tuple of ints written like CPython: EMPTY_TUPLE, TUPLE1-3 or MARK ... TUPLE, then BINPUT.</summary>
    public PickleWriter IntTuple(IReadOnlyList<long> values)
    {
        if (values.Count == 0)
        {
            return EmptyTuple();
        }

        if (values.Count > 3)
        {
            Mark();
        }

        foreach (long v in values)
        {
            Int(v);
        }

        Op(values.Count switch { 1 => (byte)0x85, 2 => (byte)0x86, 3 => (byte)0x87, _ => (byte)'t' });
        return Put();
    }
}
