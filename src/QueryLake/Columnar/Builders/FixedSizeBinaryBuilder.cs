using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>Builds fixed_size_binary[n] arrays (and UUID, stored that way).</summary>
public sealed class FixedSizeBinaryBuilder : ArrayBuilder
{
    private readonly BufferBuilder _values = new();
    private readonly int _width;

    /// <summary>Creates a builder for <paramref name="type"/>, whose storage must be fixed_size_binary.</summary>
    public FixedSizeBinaryBuilder(DataType type) : base(type) => _width = ((FixedSizeBinaryType)type.StorageType).ByteWidth;

    /// <summary>Appends a value of exactly the type's width.</summary>
    public void Append(ReadOnlySpan<byte> value)
    {
        if (value.Length != _width) throw new ArgumentException($"a {Type} value has {_width} bytes, not {value.Length}", nameof(value));
        _values.Append(value);
        Validity.Append(true);
        Length++;
    }

    /// <inheritdoc />
    public override void AppendNull()
    {
        _values.Extend(_width);
        Validity.Append(false);
        Length++;
    }

    /// <inheritdoc />
    /// <remarks>Takes a byte array of the type's width, or for UUID a <see cref="Guid"/> or its text.</remarks>
    public override void Append(object? value)
    {
        switch (value)
        {
            case null: AppendNull(); break;
            case Guid g when _width == 16: Append(UuidType.ToBytes(g)); break;
            case string text when Type is UuidType && Guid.TryParse(text, out var g): Append(UuidType.ToBytes(g)); break;
            case byte[] bytes when bytes.Length == _width: Append(bytes); break;
            default: throw WrongValue(Type, value);
        }
    }

    /// <inheritdoc />
    public override void AppendFrom(ArrowArray source, int index)
    {
        if (source.IsNull(index)) AppendNull();
        else Append(((FixedSizeBinaryArray)source).GetBytes(index));
    }

    /// <inheritdoc />
    public override void AppendRange(ArrowArray source, int start, int count)
    {
        var src = (FixedSizeBinaryArray)source;
        if (src.NullCount == 0)
        {
            _values.Append(src.ValueBytes.Slice(start * _width, count * _width));
            Validity.AppendValid(count);
            Length += count;
            return;
        }
        base.AppendRange(source, start, count);
    }

    /// <inheritdoc />
    public override ArrayData BuildData() => BuildFixed(_values);
}
