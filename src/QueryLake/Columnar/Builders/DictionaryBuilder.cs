using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>Builds dictionary-encoded arrays: equal values share one dictionary entry.</summary>
public sealed class DictionaryBuilder : ArrayBuilder
{
    private readonly DictionaryType _type;
    private readonly BufferBuilder _indices = new();
    private readonly ArrayBuilder _dictionary;
    private readonly Dictionary<object, int> _lookup = [];

    /// <summary>Creates a builder for a dictionary type; indices are stored in its index type.</summary>
    public DictionaryBuilder(DataType type) : base(type)
    {
        _type = (DictionaryType)type.StorageType;
        _dictionary = Create(_type.ValueType);
    }

    private void AppendIndex(long i)
    {
        switch (_type.IndexType.Id)
        {
            case TypeId.Int8: _indices.Append((sbyte)i); break;
            case TypeId.UInt8: _indices.Append((byte)i); break;
            case TypeId.Int16: _indices.Append((short)i); break;
            case TypeId.UInt16: _indices.Append((ushort)i); break;
            case TypeId.Int32: _indices.Append((int)i); break;
            case TypeId.UInt32: _indices.Append((uint)i); break;
            default: _indices.Append(i); break;
        }
    }

    /// <inheritdoc />
    public override void AppendNull()
    {
        AppendIndex(0);
        Validity.Append(false);
        Length++;
    }

    /// <inheritdoc />
    public override void Append(object? value)
    {
        if (value is null) { AppendNull(); return; }
        object key = value is byte[] b ? Convert.ToBase64String(b) : value;
        if (!_lookup.TryGetValue(key, out int index))
        {
            index = _dictionary.Length;
            _dictionary.Append(value);
            _lookup[key] = index;
        }
        AppendIndex(index);
        Validity.Append(true);
        Length++;
    }

    /// <inheritdoc />
    public override void AppendFrom(ArrowArray source, int index) => Append(source.GetValue(index));

    /// <inheritdoc />
    public override ArrayData BuildData()
    {
        int n = Length, nulls = Validity.NullCount;
        var validity = Validity.Build();
        var indices = _indices.Build();
        var dict = _dictionary.BuildData();
        _lookup.Clear();
        Length = 0;
        return new ArrayData(Type, n, 0, nulls, [validity, indices], null, dict);
    }
}
