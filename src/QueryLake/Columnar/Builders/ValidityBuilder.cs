using QueryLake.Columnar.Memory;

namespace QueryLake.Columnar.Builders;

/// <summary>Tracks validity bits, allocating the bitmap only once the first null arrives.</summary>
internal sealed class ValidityBuilder
{
    private BufferBuilder? _bits;
    private int _length;

    public int NullCount { get; private set; }

    public void Append(bool valid)
    {
        if (!valid && _bits is null)
        {
            _bits = new BufferBuilder(BitUtil.BytesFor(_length + 1));
            var s = _bits.Extend(BitUtil.BytesFor(_length));
            for (int i = 0; i < _length; i++) BitUtil.SetBit(s, i, true);
        }
        if (_bits is not null)
        {
            if (BitUtil.BytesFor(_length + 1) > _bits.Length) _bits.Extend(1);
            BitUtil.SetBit(_bits.Span, _length, valid);
        }
        if (!valid) NullCount++;
        _length++;
    }

    public void AppendValid(int count)
    {
        if (_bits is null) { _length += count; return; }
        for (int i = 0; i < count; i++) Append(true);
    }

    public ArrowBuffer Build()
    {
        var result = _bits?.Build() ?? ArrowBuffer.Empty;
        _bits = null;
        _length = 0;
        NullCount = 0;
        return result;
    }
}
