using System.Buffers;
using System.Globalization;

namespace QueryLake.Formats.Text;

/// <summary>A growable UTF-8 buffer rented from the shared array pool, for text formatted in place
/// (<see cref="TextWriters.CsvSink"/>). <see cref="Return"/> gives the memory back.</summary>
internal sealed class Utf8Text
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
    private int _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    private Span<byte> Free(int atLeast)
    {
        if (_buffer.Length - _length < atLeast)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + atLeast));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        return _buffer.AsSpan(_length);
    }

    public void Append(byte b)
    {
        Free(1)[0] = b;
        _length++;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Free(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>A value formatted as UTF-8 with the invariant culture.</summary>
    public void Format<T>(T value, ReadOnlySpan<char> format) where T : IUtf8SpanFormattable
    {
        int size = 32;
        while (true)
        {
            if (value.TryFormat(Free(size), out int n, format, CultureInfo.InvariantCulture))
            {
                _length += n;
                return;
            }
            size *= 2;
        }
    }

    /// <summary>A value formatted as a CSV field (quoted if its text holds <paramref name="delimiter"/>, as a number
    /// does when the delimiter is '.' or '-').</summary>
    public void Field<T>(T value, ReadOnlySpan<char> format, byte delimiter) where T : IUtf8SpanFormattable
    {
        int start = _length;
        Format(value, format);
        var written = _buffer.AsSpan(start, _length - start);
        if (written.IndexOfAny(delimiter, (byte)'"') < 0 && written.IndexOfAny((byte)'\n', (byte)'\r') < 0) return;
        var copy = written.ToArray();
        _length = start;
        Quoted(copy, delimiter);
    }

    /// <summary>Text as a CSV field: in quotes, with quotes doubled, when it holds <paramref name="delimiter"/>, a quote or
    /// a line break (0: never quote, the text is a field already).</summary>
    public void Quoted(ReadOnlySpan<byte> utf8, byte delimiter)
    {
        bool quote = delimiter != 0 && (utf8.IndexOfAny(delimiter, (byte)'"') >= 0 || utf8.IndexOfAny((byte)'\n', (byte)'\r') >= 0);
        if (!quote)
        {
            Append(utf8);
            return;
        }
        Append((byte)'"');
        foreach (var b in utf8)
        {
            if (b == '"') Append((byte)'"');
            Append(b);
        }
        Append((byte)'"');
    }

    /// <summary>Gives the buffer back to the pool; the text must not be used afterwards.</summary>
    public void Return()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }
}
