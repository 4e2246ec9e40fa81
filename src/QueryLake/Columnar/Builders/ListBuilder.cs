using System.Collections;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>Builds list arrays: append elements to <see cref="Values"/>, then close the slot with <see cref="EndList"/>.</summary>
public sealed class ListBuilder : ArrayBuilder
{
    private readonly BufferBuilder _offsets = new();

    /// <summary>Creates a builder for a list type (or an extension stored as one).</summary>
    public ListBuilder(DataType type) : base(type)
    {
        Values = Create(((ListType)type.StorageType).ValueType);
        _offsets.Append(0);
    }

    /// <summary>The builder of the elements.</summary>
    public ArrayBuilder Values { get; }

    /// <summary>Closes the current slot: it holds the elements appended to <see cref="Values"/> since the last slot.</summary>
    public void EndList()
    {
        _offsets.Append(Values.Length);
        Validity.Append(true);
        Length++;
    }

    /// <inheritdoc />
    public override void AppendNull()
    {
        _offsets.Append(Values.Length);
        Validity.Append(false);
        Length++;
    }

    /// <inheritdoc />
    public override void Append(object? value)
    {
        if (value is null) { AppendNull(); return; }
        if (value is string || value is not IEnumerable items) throw WrongValue(Type, value);
        foreach (var item in items) Values.Append(item);
        EndList();
    }

    /// <inheritdoc />
    public override void AppendFrom(ArrowArray source, int index)
    {
        if (source.IsNull(index)) { AppendNull(); return; }
        var list = (ListArray)source;
        Values.AppendRange(list.Values, list.GetValueOffset(index), list.GetValueLength(index));
        EndList();
    }

    /// <inheritdoc />
    public override ArrayData BuildData()
    {
        int n = Length, nulls = Validity.NullCount;
        var validity = Validity.Build();
        var offsets = _offsets.Build();
        var child = Values.BuildData();
        Length = 0;
        _offsets.Append(0);
        return new ArrayData(Type, n, 0, nulls, [validity, offsets], [child]);
    }
}
