using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>Builds bit-packed boolean arrays.</summary>
public sealed class BooleanBuilder : ArrayBuilder
{
    private readonly BufferBuilder _values = new();

    /// <summary>Creates a builder for bool (or an extension stored as bool).</summary>
    public BooleanBuilder(DataType? type = null) : base(type ?? DataType.Boolean) { }

    /// <summary>Appends a value.</summary>
    public void Append(bool value)
    {
        if (BitUtil.BytesFor(Length + 1) > _values.Length) _values.Extend(1);
        if (value) BitUtil.SetBit(_values.Span, Length, true);
        Validity.Append(true);
        Length++;
    }

    /// <inheritdoc />
    public override void AppendNull()
    {
        if (BitUtil.BytesFor(Length + 1) > _values.Length) _values.Extend(1);
        Validity.Append(false);
        Length++;
    }

    /// <inheritdoc />
    public override void Append(object? value)
    {
        if (value is null) AppendNull();
        else if (value is bool b) Append(b);
        else throw WrongValue(Type, value);
    }

    /// <inheritdoc />
    public override void AppendFrom(ArrowArray source, int index)
    {
        if (source.IsNull(index)) AppendNull();
        else Append(((BooleanArray)source).GetBoolean(index));
    }

    /// <inheritdoc />
    public override ArrayData BuildData()
    {
        int n = Length, nulls = Validity.NullCount;
        var validity = Validity.Build();
        _values.SetLength(BitUtil.BytesFor(n));
        var values = _values.Build();
        Length = 0;
        return new ArrayData(Type, n, 0, nulls, [validity, values]);
    }
}
