using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar.Builders;

/// <summary>Builds struct arrays: append one value to every <see cref="Fields"/> builder, then call <see cref="EndStruct"/>.</summary>
public sealed class StructBuilder : ArrayBuilder
{
    private readonly StructType _type;

    /// <summary>Creates a builder for a struct type (or an extension stored as one).</summary>
    public StructBuilder(DataType type) : base(type)
    {
        _type = (StructType)type.StorageType;
        Fields = _type.Fields.Select(f => Create(f.DataType)).ToArray();
    }

    /// <summary>One builder per child field.</summary>
    public IReadOnlyList<ArrayBuilder> Fields { get; }

    /// <summary>Closes a valid slot after one value was appended to each field builder.</summary>
    public void EndStruct()
    {
        Validity.Append(true);
        Length++;
    }

    /// <inheritdoc />
    public override void AppendNull()
    {
        foreach (var f in Fields) f.AppendNull();
        Validity.Append(false);
        Length++;
    }

    /// <inheritdoc />
    public override void Append(object? value)
    {
        if (value is null) { AppendNull(); return; }
        if (value is not IReadOnlyDictionary<string, object?> d) throw WrongValue(Type, value);
        for (int i = 0; i < Fields.Count; i++) Fields[i].Append(d.TryGetValue(_type.Fields[i].Name, out var v) ? v : null);
        EndStruct();
    }

    /// <inheritdoc />
    public override void AppendFrom(ArrowArray source, int index) => AppendRange(source, index, 1);

    /// <inheritdoc />
    public override void AppendRange(ArrowArray source, int start, int count)
    {
        var s = (StructArray)source;
        for (int f = 0; f < Fields.Count; f++) Fields[f].AppendRange(s.Field(f), start, count);
        for (int i = 0; i < count; i++) Validity.Append(!source.IsNull(start + i));
        Length += count;
    }

    /// <inheritdoc />
    public override ArrayData BuildData()
    {
        int n = Length, nulls = Validity.NullCount;
        var validity = Validity.Build();
        var children = Fields.Select(f => f.BuildData()).ToArray();
        Length = 0;
        return new ArrayData(Type, n, 0, nulls, [validity], children);
    }
}
