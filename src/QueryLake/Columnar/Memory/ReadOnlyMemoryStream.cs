namespace QueryLake.Columnar.Memory;

/// <summary>A read-only, seekable stream over memory, without copying it (blobs handed to callers, compressed pages
/// handed to stream-based codecs).</summary>
public sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> data) : Stream
{
    private long _pos;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => data.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => _pos;
        set => _pos = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "a position cannot be negative");
    }

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (_pos >= data.Length) return 0;
        int n = (int)Math.Min(buffer.Length, data.Length - _pos);
        data.Span.Slice((int)_pos, n).CopyTo(buffer);
        _pos += n;
        return n;
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _pos + offset,
        _ => data.Length + offset,
    };

    /// <summary>The stream is read-only.</summary>
    public override void SetLength(long value) => throw new NotSupportedException("the stream is read-only");

    /// <summary>The stream is read-only.</summary>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the stream is read-only");
}
