using QueryLake.Columnar.Memory;

namespace QueryLake.Native;

/// <summary>
/// The output side of a streaming decompressor: it grows geometrically with the bytes actually produced,
/// so a hostile declared length never causes a large allocation. The declared length is only a sizing
/// hint: some writers (apache-arrow for JavaScript, for one) put the compressed length in the prefix, so
/// the true length is what the frame decodes to, and the array validator checks it is enough.
/// </summary>
internal sealed class DecompressionOutput
{
    private Memory<byte> _buffer;
    private int _length;

    public DecompressionOutput(long declaredLength, int compressedLength)
    {
        if (declaredLength < 0 || declaredLength > Array.MaxLength)
            throw new InvalidDataException($"declared uncompressed length {declaredLength} is outside 0..{Array.MaxLength}");
        long initial = Math.Min(declaredLength, Math.Max(1 << 16, 8L * compressedLength));
        _buffer = AlignedMemory.Allocate((int)initial, clear: false);
    }

    /// <summary>Where the next bytes go.</summary>
    public Span<byte> Window()
    {
        if (_length == _buffer.Length)
        {
            if (_buffer.Length == Array.MaxLength) throw new InvalidDataException($"data decodes to more than {Array.MaxLength} bytes");
            var next = AlignedMemory.Allocate((int)Math.Min(Array.MaxLength, Math.Max(64, 2L * _buffer.Length)), clear: false);
            _buffer.Span.CopyTo(next.Span);
            _buffer = next;
        }
        return _buffer.Span[_length..];
    }

    public void Advance(int produced)
    {
        _length += produced;
    }

    public Memory<byte> Finish() => _buffer[.._length];
}
