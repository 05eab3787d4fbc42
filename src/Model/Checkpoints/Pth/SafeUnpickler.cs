using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace CrossVideoMAE.Model.Checkpoints.Pth;

/// <summary>
/// A pickle virtual machine for the opcodes torch.save writes (protocol 2, plus the few
/// protocol-4 framing opcodes so that pickle_protocol=4 files load too). It builds plain data
/// only: globals, REDUCE, BUILD and persistent ids are handed to an <see cref="IPickleGlobals"/>
/// that accepts a fixed allow-list. Every length, memo index and stack access is checked;
/// any defect is an <see cref="InvalidDataException"/> naming the source (and byte offset).
/// </summary>
internal sealed class SafeUnpickler
{
    /// <summary>The largest pickle accepted (a state dict's pickle is kilobytes to a few megabytes).</summary>
    public const int MaxPickleBytes = 256 << 20;
    private const int MaxProtocol = 5;

    private readonly byte[] data;
    private readonly string source;
    private readonly IPickleGlobals globals;
    private readonly List<object?> stack = new();
    private readonly List<int> marks = new();
    private readonly Dictionary<uint, object?> memo = new();
    private int pos;
    private int opStart;

    public SafeUnpickler(byte[] data, string source, IPickleGlobals globals)
    {
        if (data.Length > MaxPickleBytes)
            throw new InvalidDataException($"{source}: pickle of {data.Length} bytes exceeds the {MaxPickleBytes}-byte limit");
        this.data = data;
        this.source = source;
        this.globals = globals;
    }

    /// <summary>Runs the pickle to its STOP opcode and returns the object it built.</summary>
    public object? Load()
    {
        while (true)
        {
            opStart = pos;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    byte proto = ReadByte();
                    if (proto > MaxProtocol) throw Bad($"unsupported pickle protocol {proto}");
                    break;
                case 0x95: // FRAME: an 8-byte frame length; frames are only a reading hint
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    if (stack.Count != 1 || marks.Count != 0) throw Bad($"STOP with {stack.Count} values and {marks.Count} marks left on the stack");
                    return stack[0];

                case (byte)'(': marks.Add(stack.Count); break;                     // MARK
                case (byte)'}': stack.Add(new PyDict()); break;                    // EMPTY_DICT
                case (byte)']': stack.Add(new PyList()); break;                    // EMPTY_LIST
                case (byte)')': stack.Add(new PyTuple([])); break;                 // EMPTY_TUPLE
                case (byte)'N': stack.Add(null); break;                            // NONE
                case 0x88: stack.Add(true); break;                                 // NEWTRUE
                case 0x89: stack.Add(false); break;                                // NEWFALSE

                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;  // BININT
                case (byte)'K': stack.Add((long)ReadByte()); break;                                            // BININT1
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: stack.Add(ReadLong1()); break;                                                       // LONG1
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;          // BINFLOAT

                case (byte)'X': stack.Add(ReadUtf8(ReadLength32())); break;       // BINUNICODE
                case 0x8c: stack.Add(ReadUtf8(ReadByte())); break;                // SHORT_BINUNICODE

                case (byte)'t': stack.Add(new PyTuple(PopMark())); break;         // TUPLE
                case 0x85: stack.Add(new PyTuple(PopN(1))); break;                // TUPLE1
                case 0x86: stack.Add(new PyTuple(PopN(2))); break;                // TUPLE2
                case 0x87: stack.Add(new PyTuple(PopN(3))); break;                // TUPLE3

                case (byte)'s': SetItems(PopN(2)); break;                          // SETITEM
                case (byte)'u': SetItems(PopMark()); break;                        // SETITEMS
                case (byte)'a': Append(PopN(1)); break;                            // APPEND
                case (byte)'e': Append(PopMark()); break;                          // APPENDS

                case (byte)'q': Put(ReadByte()); break;                                                    // BINPUT
                case (byte)'r': Put(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))); break;         // LONG_BINPUT
                case 0x94: Put((uint)memo.Count); break;                                                  // MEMOIZE
                case (byte)'h': stack.Add(Get(ReadByte())); break;                                         // BINGET
                case (byte)'j': stack.Add(Get(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET

                case (byte)'c': // GLOBAL: "module\nname\n"
                {
                    string module = ReadLine(), name = ReadLine();
                    stack.Add(globals.Resolve(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    object?[] mn = PopN(2);
                    if (mn[0] is not string module || mn[1] is not string name) throw Bad("STACK_GLOBAL needs two strings");
                    stack.Add(globals.Resolve(module, name));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    object?[] fa = PopN(2);
                    if (fa[0] is not PyGlobal callable) throw Bad($"REDUCE on a {PyValue.TypeName(fa[0])}, which is not callable");
                    if (fa[1] is not PyTuple args) throw Bad($"REDUCE arguments are a {PyValue.TypeName(fa[1])}, not a tuple");
                    stack.Add(Wrap(() => globals.Reduce(callable, args)));
                    break;
                }
                case (byte)'b': // BUILD
                {
                    object?[] os = PopN(2);
                    stack.Add(Wrap(() => globals.Build(os[0], os[1])));
                    break;
                }
                case (byte)'Q': // BINPERSID
                {
                    object? pid = PopN(1)[0];
                    stack.Add(Wrap(() => globals.PersistentLoad(pid)));
                    break;
                }
                default:
                    throw Bad($"opcode 0x{op:x2} ('{(op is >= 32 and < 127 ? (char)op : '?')}') is not one torch.save writes");
            }
        }
    }

    private object? Wrap(Func<object?> f)
    {
        try { return f(); }
        catch (InvalidDataException e) { throw Bad(e.Message); }
    }

    private void SetItems(object?[] kv)
    {
        if (kv.Length % 2 != 0) throw Bad("SETITEMS with an odd number of values");
        if (Top() is not PyDict dict) throw Bad($"SETITEM on a {PyValue.TypeName(Top())}, not a dict");
        for (int i = 0; i < kv.Length; i += 2)
            Wrap(() => { dict.Set(kv[i], kv[i + 1]); return null; });
    }

    private void Append(object?[] items)
    {
        if (Top() is not PyList list) throw Bad($"APPEND on a {PyValue.TypeName(Top())}, not a list");
        list.Items.AddRange(items);
    }

    // The value on top of the stack, above the innermost MARK (values below a mark are out of reach, as in CPython).
    private object? Top() => stack.Count > Floor ? stack[^1] : throw Bad("stack is empty above the current MARK");

    private int Floor => marks.Count > 0 ? marks[^1] : 0;

    private void Put(uint index)
    {
        memo[index] = Top();
    }

    private object? Get(uint index) =>
        memo.TryGetValue(index, out object? v) ? v : throw Bad($"memo index {index} was never stored");

    private object?[] PopN(int n)
    {
        if (stack.Count - Floor < n) throw Bad($"needs {n} values on the stack, found {stack.Count - Floor}");
        object?[] items = stack.GetRange(stack.Count - n, n).ToArray();
        stack.RemoveRange(stack.Count - n, n);
        return items;
    }

    private object?[] PopMark()
    {
        if (marks.Count == 0) throw Bad("no MARK to pop to");
        int at = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        object?[] items = stack.GetRange(at, stack.Count - at).ToArray();
        stack.RemoveRange(at, stack.Count - at);
        return items;
    }

    private byte ReadByte()
    {
        if (pos >= data.Length) throw Bad("pickle ends before its STOP opcode (truncated)");
        return data[pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(int n)
    {
        if (n < 0 || n > data.Length - pos) throw Bad($"needs {n} more bytes but only {data.Length - pos} remain (truncated)");
        var span = new ReadOnlySpan<byte>(data, pos, n);
        pos += n;
        return span;
    }

    private int ReadLength32()
    {
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
        if (n > (uint)(data.Length - pos)) throw Bad($"string of {n} bytes runs past the end of the pickle (truncated)");
        return (int)n;
    }

    private string ReadUtf8(int n)
    {
        try { return new UTF8Encoding(false, true).GetString(ReadBytes(n)); }
        catch (DecoderFallbackException) { throw Bad("string is not valid UTF-8"); }
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(data, (byte)'\n', pos, Math.Min(data.Length - pos, 256));
        if (end < 0 && data.Length - pos < 256) throw Bad("GLOBAL name runs past the end of the pickle (truncated)");
        if (end < 0) throw Bad("GLOBAL name is not newline-terminated within 256 bytes");
        string s = Encoding.ASCII.GetString(data, pos, end - pos);
        pos = end + 1;
        if (s.Any(c => c < 32 || c > 126)) throw Bad("GLOBAL name holds non-printable characters");
        return s;
    }

    private object ReadLong1()
    {
        int n = ReadByte();
        ReadOnlySpan<byte> bytes = ReadBytes(n);
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private InvalidDataException Bad(string reason) =>
        new($"{source}: malformed pickle at byte {opStart}: {reason}");
}
