using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Lucent.Net.ModelZoo.Checkpoints.Pickle;

/// <summary>
/// A small, restricted pickle virtual machine for PyTorch checkpoints.
/// </summary>
/// <remarks>
/// <para>Why not Razorvine.Pickle (which the project references)? Its unpickler resolves any unknown global
/// to a generic <c>ClassDict</c> and keeps going, has no limits on memo size, stack size or string lengths,
/// and allocates whatever a length prefix claims. Refusing globals there means subclassing internals and
/// still leaves the allocation and resource limits to be bolted on. A state dict needs only a few dozen
/// opcodes, so this reader implements exactly those and nothing else: it never executes anything, builds
/// only inert values (tuples, lists, dicts, strings, numbers, tensor descriptions), and accepts only the
/// globals listed in <see cref="TorchGlobals"/>.</para>
/// <para>Guarantees: every length is checked against the bytes left in the input before anything is
/// allocated; the value stack, the mark stack and the memo are capped; the machine is a loop without
/// recursion and every opcode consumes at least one byte, so a hostile input can only end in a
/// <see cref="CheckpointFormatException"/>.</para>
/// </remarks>
internal sealed class RestrictedUnpickler
{
    /// <summary>Most values the stack may hold at once.</summary>
    public const int MaxStackSize = 1 << 20;

    /// <summary>Most entries the memo may hold.</summary>
    public const int MaxMemoSize = 1 << 20;

    /// <summary>Most nested MARKs.</summary>
    public const int MaxMarkDepth = 4096;

    private const int MaxGlobalNameLength = 256;
    private const int MaxLongBytes = 64;

    private readonly Stream _input;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];

    /// <param name="input">A seekable stream positioned at the pickle; reading stops right after STOP.</param>
    /// <param name="persistentLoad">Resolves a persistent id (BINPERSID) to a value.</param>
    public RestrictedUnpickler(Stream input, Func<object?, object?> persistentLoad)
    {
        if (!input.CanSeek)
        {
            throw new ArgumentException("The unpickler needs a seekable stream.", nameof(input));
        }

        this._input = input;
        this._persistentLoad = persistentLoad;
    }

    private long Remaining => _input.Length - _input.Position;

    /// <summary>Runs the pickle until STOP and returns its value.</summary>
    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        _memo.Clear();
        while (true)
        {
            int op = _input.ReadByte();
            if (op < 0)
            {
                throw Truncated("an opcode");
            }

            switch (op)
            {
                case 0x80: // PROTO
                    int protocol = ReadByte();
                    if (protocol > 5)
                    {
                        throw new CheckpointFormatException($"Unsupported pickle protocol {protocol}.");
                    }

                    break;
                case 0x95: // FRAME: a length hint only
                    _ = ReadInt64();
                    break;
                case '.': // STOP
                    return Pop();
                case '(': // MARK
                    if (_marks.Count >= MaxMarkDepth)
                    {
                        throw new CheckpointFormatException($"The pickle nests more than {MaxMarkDepth} MARKs.");
                    }

                    _marks.Push(_stack.Count);
                    break;
                case '0': // POP
                    _ = Pop();
                    break;
                case '1': // POP_MARK
                    _ = PopMark();
                    break;
                case '2': // DUP
                    Push(Peek());
                    break;
                case '}': // EMPTY_DICT
                    Push(new PyDict(isOrderedDict: false));
                    break;
                case ']': // EMPTY_LIST
                    Push(new PyList());
                    break;
                case ')': // EMPTY_TUPLE
                    Push(PyTuple.Empty);
                    break;
                case 't': // TUPLE
                    Push(new PyTuple(PopMark()));
                    break;
                case 0x85: // TUPLE1
                    Push(new PyTuple([Pop()]));
                    break;
                case 0x86: // TUPLE2
                    {
                        object? b = Pop();
                        object? a = Pop();
                        Push(new PyTuple([a, b]));
                        break;
                    }

                case 0x87: // TUPLE3
                    {
                        object? c = Pop();
                        object? b = Pop();
                        object? a = Pop();
                        Push(new PyTuple([a, b, c]));
                        break;
                    }

                case 'l': // LIST
                    {
                        var list = new PyList();
                        list.Items.AddRange(PopMark());
                        Push(list);
                        break;
                    }

                case 'd': // DICT
                    {
                        var dict = new PyDict(isOrderedDict: false);
                        SetItems(dict, PopMark());
                        Push(dict);
                        break;
                    }

                case 'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)));
                    break;
                case 'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case 'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2)));
                    break;
                case 0x8a: // LONG1
                    Push(ReadLong(ReadByte()));
                    break;
                case 0x8b: // LONG4
                    {
                        int n = BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
                        if (n < 0 || n > MaxLongBytes)
                        {
                            throw new CheckpointFormatException($"The pickle holds an integer of {n} bytes; at most {MaxLongBytes} are supported.");
                        }

                        Push(ReadLong(n));
                        break;
                    }

                case 'G': // BINFLOAT
                    Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)));
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case 'N': // NONE
                    Push(null);
                    break;
                case 'X': // BINUNICODE
                    Push(ReadUtf8(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(ReadUtf8(ReadByte()));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(ReadUtf8(ReadLength64()));
                    break;
                case 'T': // BINSTRING (Python 2 str)
                    Push(ReadLatin1(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))));
                    break;
                case 'U': // SHORT_BINSTRING
                    Push(ReadLatin1(ReadByte()));
                    break;
                case 'B': // BINBYTES
                    Push(ReadBytes(CheckLength(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))));
                    break;
                case 'C': // SHORT_BINBYTES
                    Push(ReadBytes(ReadByte()));
                    break;
                case 0x8e: // BINBYTES8
                    Push(ReadBytes(CheckLength(ReadLength64())));
                    break;
                case 's': // SETITEM
                    {
                        object? value = Pop();
                        object? key = Pop();
                        AsDict(Peek(), "SETITEM").Set(key, value);
                        break;
                    }

                case 'u': // SETITEMS
                    {
                        object?[] items = PopMark();
                        SetItems(AsDict(Peek(), "SETITEMS"), items);
                        break;
                    }

                case 'a': // APPEND
                    {
                        object? value = Pop();
                        AsList(Peek(), "APPEND").Items.Add(value);
                        break;
                    }

                case 'e': // APPENDS
                    {
                        object?[] items = PopMark();
                        AsList(Peek(), "APPENDS").Items.AddRange(items);
                        break;
                    }

                case 'q': // BINPUT
                    Memoize(ReadByte());
                    break;
                case 'r': // LONG_BINPUT
                    Memoize(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)));
                    break;
                case 0x94: // MEMOIZE
                    Memoize(_memo.Count);
                    break;
                case 'h': // BINGET
                    Push(Recall(ReadByte()));
                    break;
                case 'j': // LONG_BINGET
                    Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))));
                    break;
                case 'c': // GLOBAL
                    {
                        string module = ReadLine();
                        string name = ReadLine();
                        Push(TorchGlobals.Resolve(module, name));
                        break;
                    }

                case 0x93: // STACK_GLOBAL
                    {
                        object? name = Pop();
                        object? module = Pop();
                        if (module is not string m || name is not string n)
                        {
                            throw new CheckpointFormatException("STACK_GLOBAL expects two strings on the stack.");
                        }

                        Push(TorchGlobals.Resolve(m, n));
                        break;
                    }

                case 'R': // REDUCE
                    {
                        object? args = Pop();
                        object? callable = Pop();
                        Push(TorchReducers.Call(callable, args));
                        break;
                    }

                case 0x81: // NEWOBJ
                    {
                        object? args = Pop();
                        object? cls = Pop();
                        Push(TorchReducers.NewObject(cls, args));
                        break;
                    }

                case 'b': // BUILD
                    {
                        object? state = Pop();
                        TorchReducers.Build(Peek(), state);
                        break;
                    }

                case 'Q': // BINPERSID
                    Push(_persistentLoad(Pop()));
                    break;
                default:
                    throw new CheckpointFormatException(
                        $"Unsupported pickle opcode 0x{op:x2} at byte {_input.Position - 1}; this reader handles the opcodes torch.save writes (protocols 2 to 5).");
            }
        }
    }

    private static void SetItems(PyDict dict, object?[] items)
    {
        if (items.Length % 2 != 0)
        {
            throw new CheckpointFormatException("SETITEMS found an odd number of values after its MARK.");
        }

        for (int i = 0; i < items.Length; i += 2)
        {
            dict.Set(items[i], items[i + 1]);
        }
    }

    private static PyDict AsDict(object? value, string opcode) => value as PyDict
        ?? throw new CheckpointFormatException($"{opcode} expects a dict on the stack but found {PickleText.Describe(value)}.");

    private static PyList AsList(object? value, string opcode) => value as PyList
        ?? throw new CheckpointFormatException($"{opcode} expects a list on the stack but found {PickleText.Describe(value)}.");

    private static CheckpointFormatException Truncated(string what)
        => new($"The checkpoint is truncated: the pickle ended while reading {what}.");

    private void Push(object? value)
    {
        if (_stack.Count >= MaxStackSize)
        {
            throw new CheckpointFormatException($"The pickle pushes more than {MaxStackSize} values on its stack.");
        }

        _stack.Add(value);
    }

    private object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor)
        {
            throw new CheckpointFormatException("The pickle pops from an empty stack (corrupted data).");
        }

        object? value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor)
        {
            throw new CheckpointFormatException("The pickle reads from an empty stack (corrupted data).");
        }

        return _stack[^1];
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0)
        {
            throw new CheckpointFormatException("The pickle closes a MARK that was never opened (corrupted data).");
        }

        int start = _marks.Pop();
        object?[] items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private void Memoize(long index)
    {
        if (_memo.Count >= MaxMemoSize && !_memo.ContainsKey(index))
        {
            throw new CheckpointFormatException($"The pickle memoizes more than {MaxMemoSize} values.");
        }

        _memo[index] = Peek();
    }

    private object? Recall(long index) => _memo.TryGetValue(index, out object? value)
        ? value
        : throw new CheckpointFormatException($"The pickle refers to memo entry {index}, which was never stored (corrupted data).");

    private int ReadByte()
    {
        int b = _input.ReadByte();
        return b >= 0 ? b : throw Truncated("an opcode argument");
    }

    private byte[] ReadBytes(int count)
    {
        if (count > Remaining)
        {
            throw Truncated($"{count} bytes");
        }

        var buffer = new byte[count];
        _input.ReadExactly(buffer);
        return buffer;
    }

    private long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

    private long ReadLength64()
    {
        long n = ReadInt64();
        return n >= 0 ? n : throw new CheckpointFormatException($"The pickle holds a negative length {n}.");
    }

    private int CheckLength(long length)
    {
        if (length > Remaining || length > Array.MaxLength)
        {
            throw Truncated($"a value of {length} bytes (only {Remaining} bytes are left)");
        }

        return (int)length;
    }

    private string ReadUtf8(long length)
    {
        byte[] bytes = ReadBytes(CheckLength(length));
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointFormatException("The pickle holds a string that is not valid UTF-8 (corrupted data).", e);
        }
    }

    private string ReadLatin1(long length)
    {
        if (length < 0)
        {
            throw new CheckpointFormatException($"The pickle holds a negative string length {length}.");
        }

        return Encoding.Latin1.GetString(ReadBytes(CheckLength(length)));
    }

    private object ReadLong(int byteCount)
    {
        if (byteCount == 0)
        {
            return 0L;
        }

        var value = new BigInteger(ReadBytes(byteCount), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private string ReadLine()
    {
        var builder = new StringBuilder();
        while (true)
        {
            int b = _input.ReadByte();
            if (b < 0)
            {
                throw Truncated("a GLOBAL name");
            }

            if (b == '\n')
            {
                return builder.ToString();
            }

            if (builder.Length >= MaxGlobalNameLength || b < 0x20 || b > 0x7e)
            {
                throw new CheckpointFormatException("The pickle holds a GLOBAL whose name is too long or not printable ASCII (corrupted data).");
            }

            builder.Append((char)b);
        }
    }
}
