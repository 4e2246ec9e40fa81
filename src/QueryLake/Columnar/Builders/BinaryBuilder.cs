using System.Text;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>Builds utf8, large_utf8, binary and large_binary arrays (and IMAGE, stored as binary).</summary>
public sealed class BinaryBuilder : ArrayBuilder
{
    private readonly BufferBuilder _offsets = new();
    private readonly BufferBuilder _data = new();
    private readonly bool _large;

    /// <summary>Creates a builder for a variable-binary type or an extension stored as one.</summary>
    public BinaryBuilder(DataType type) : base(type)
    {
        _large = ((VariableBinaryType)type.StorageType).IsLarge;
        AppendOffset();
    }

    private void AppendOffset()
    {
        if (_large) _offsets.Append((long)_data.Length);
        else _offsets.Append(_data.Length);
    }

    /// <summary>Appends bytes.</summary>
    public void Append(ReadOnlySpan<byte> value)
    {
        if (!_large && (long)_data.Length + value.Length > int.MaxValue)
            throw new InvalidOperationException($"a {Type} array holds at most 2 GiB of data; use the large_ variant");
        _data.Append(value);
        AppendOffset();
        Validity.Append(true);
        Length++;
    }

    /// <summary>Appends a string as UTF-8.</summary>
    public void Append(string value) => Append(Encoding.UTF8.GetBytes(value));

    /// <inheritdoc />
    public override void AppendNull()
    {
        AppendOffset();
        Validity.Append(false);
        Length++;
    }

    /// <inheritdoc />
    public override void Append(object? value)
    {
        switch (value)
        {
            case null: AppendNull(); break;
            case string s: Append(s); break;
            case byte[] b: Append(b); break;
            case ReadOnlyMemory<byte> m: Append(m.Span); break;
            case Memory<byte> m: Append(m.Span); break;
            default: throw WrongValue(Type, value);
        }
    }

    /// <inheritdoc />
    public override void AppendFrom(ArrowArray source, int index)
    {
        if (source.IsNull(index)) AppendNull();
        else Append(((BinaryArray)source).GetBytes(index));
    }

    /// <inheritdoc />
    public override ArrayData BuildData()
    {
        int n = Length, nulls = Validity.NullCount;
        var validity = Validity.Build();
        var offsets = _offsets.Build();
        var data = _data.Build();
        Length = 0;
        AppendOffset();
        return new ArrayData(Type, n, 0, nulls, [validity, offsets, data]);
    }
}
