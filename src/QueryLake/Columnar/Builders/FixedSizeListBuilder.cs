using System.Collections;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>Builds fixed-size list arrays (EMBEDDING and fixed-shape TENSOR columns).</summary>
public sealed class FixedSizeListBuilder : ArrayBuilder
{
    private readonly int _size;

    /// <summary>Creates a builder for a fixed-size list type (or an extension stored as one).</summary>
    public FixedSizeListBuilder(DataType type) : base(type)
    {
        var t = (FixedSizeListType)type.StorageType;
        _size = t.ListSize;
        Values = Create(t.ValueType);
    }

    /// <summary>The builder of the elements.</summary>
    public ArrayBuilder Values { get; }

    /// <summary>Appends one vector of float32 values (for embeddings).</summary>
    public void Append(ReadOnlySpan<float> vector)
    {
        if (vector.Length != _size) throw new ArgumentException($"expected {_size} values for a {Type} slot, got {vector.Length}");
        ((PrimitiveBuilder<float>)Values).AppendRange(vector);
        Validity.Append(true);
        Length++;
    }

    /// <inheritdoc />
    public override void AppendNull()
    {
        for (int i = 0; i < _size; i++) Values.AppendNull();
        Validity.Append(false);
        Length++;
    }

    /// <inheritdoc />
    public override void Append(object? value)
    {
        switch (value)
        {
            case null: AppendNull(); return;
            case float[] f when Values is PrimitiveBuilder<float>: Append(f); return;
            case string: throw WrongValue(Type, value);
            case IEnumerable items:
                int before = Values.Length;
                foreach (var item in items) Values.Append(item);
                if (Values.Length - before != _size)
                    throw new ArgumentException($"expected {_size} values for a {Type} slot, got {Values.Length - before}");
                Validity.Append(true);
                Length++;
                return;
            default: throw WrongValue(Type, value);
        }
    }

    /// <inheritdoc />
    public override void AppendFrom(ArrowArray source, int index) => AppendRange(source, index, 1);

    /// <inheritdoc />
    public override void AppendRange(ArrowArray source, int start, int count)
    {
        var list = (FixedSizeListArray)source;
        Values.AppendRange(list.Values, (list.Data.Offset + start) * _size, count * _size);
        for (int i = 0; i < count; i++) Validity.Append(!source.IsNull(start + i));
        Length += count;
    }

    /// <inheritdoc />
    public override ArrayData BuildData()
    {
        int n = Length, nulls = Validity.NullCount;
        var validity = Validity.Build();
        var child = Values.BuildData();
        Length = 0;
        return new ArrayData(Type, n, 0, nulls, [validity], [child]);
    }
}
