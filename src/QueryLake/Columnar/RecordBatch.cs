using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Columnar;

/// <summary>Equal-length columns with a schema: the unit that flows through storage and execution.</summary>
public sealed class RecordBatch
{
    /// <summary>Creates a batch; every column must have <paramref name="length"/> slots and match its field's type. A
    /// column may also be dictionary-encoded: indices into a dictionary whose values have the field's type.</summary>
    public RecordBatch(Schema schema, IReadOnlyList<ArrowArray> columns, int length)
    {
        if (schema.Fields.Count != columns.Count)
            throw new ArgumentException($"schema has {schema.Fields.Count} fields but {columns.Count} columns were given");
        for (int i = 0; i < columns.Count; i++)
        {
            if (columns[i].Length != length)
                throw new ArgumentException($"column '{schema.Fields[i].Name}' has {columns[i].Length} rows, expected {length}");
            if (!columns[i].Type.Equals(schema.Fields[i].DataType)
                && !(columns[i].Type is DictionaryType d && d.ValueType.Equals(schema.Fields[i].DataType)))
                throw new ArgumentException($"column '{schema.Fields[i].Name}' is {columns[i].Type}, but the schema says {schema.Fields[i].DataType}");
        }
        Schema = schema;
        Columns = columns.ToArray();
        Length = length;
    }

    /// <summary>The schema.</summary>
    public Schema Schema { get; }

    /// <summary>The columns, in schema order.</summary>
    public IReadOnlyList<ArrowArray> Columns { get; }

    /// <summary>Number of rows.</summary>
    public int Length { get; }

    /// <summary>A column by name.</summary>
    public ArrowArray Column(string name) => Columns[Schema.IndexOf(name) is var i and >= 0 ? i
        : throw new KeyNotFoundException($"no column named '{name}'; columns are: {string.Join(", ", Schema.Fields.Select(f => f.Name))}")];

    /// <summary>A zero-copy slice of rows.</summary>
    public RecordBatch Slice(int offset, int length) =>
        new(Schema, Columns.Select(c => c.Slice(offset, length)).ToArray(), length);

    /// <summary>The lease on the pooled buffers this batch was decoded into, when a scan lent it to a consumer that
    /// asked for lent batches (see <see cref="Memory.BufferLease"/>); null otherwise. Slices do not carry it.</summary>
    internal Memory.BufferLease? Lease { get; private init; }

    /// <summary>The same columns, carrying <paramref name="lease"/> (null: none).</summary>
    internal RecordBatch Lend(Memory.BufferLease? lease) => new(Schema, Columns, Length) { Lease = lease };

    /// <summary>Gives the batch's buffers back to their pool, when it was lent: the caller must be done with the batch
    /// and keep nothing of it.</summary>
    internal void Release() => Lease?.Release();
}
