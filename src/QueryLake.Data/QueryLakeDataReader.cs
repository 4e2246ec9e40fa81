using System.Collections;
using System.Collections.ObjectModel;
using System.Data;
using System.Data.Common;
using System.Globalization;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Sessions;

namespace QueryLake.Data;

/// <summary>
/// Reads a command's results: one result set per statement (<see cref="NextResult"/> moves on). Values come straight
/// from the Arrow batches: typed getters read them without boxing, <see cref="GetStream"/> reads a blob without copying
/// it, and <see cref="GetFieldValue{T}"/> converts to float[] (embeddings), byte[], Stream, arrays, lists and
/// dictionaries (structs). The rows are already computed when the reader is returned, so <see cref="ReadAsync"/>
/// completes at once.
/// </summary>
public sealed class QueryLakeDataReader : DbDataReader
{
    private readonly IReadOnlyList<QueryResult> _results;
    private readonly QueryLakeCommand? _command;
    private readonly CommandBehavior _behavior;
    private int _result;
    private int _batch;
    private int _row = -1;
    private bool _closed;

    internal QueryLakeDataReader(IReadOnlyList<QueryResult> results, QueryLakeCommand? command, CommandBehavior behavior)
    {
        // Statements that return no columns (CREATE, INSERT …) are not result sets; their counts go to RecordsAffected.
        _results = results.Where(r => r.Schema.Fields.Count > 0 && r.RowsAffected is null).ToList();
        RecordsAffected = QueryLakeCommand.RowsAffected(results);
        _command = command;
        _behavior = behavior;
    }

    private QueryResult? Current => _result < _results.Count ? _results[_result] : null;

    private Schema Schema => Current?.Schema ?? new Schema([]);

    private RecordBatch Batch => _row >= 0 && Current is { } r && _batch < r.Batches.Count ? r.Batches[_batch]
        : throw new InvalidOperationException("no current row: call Read() first (and check that it returned true)");

    private ArrowArray Column(int ordinal)
    {
        if ((uint)ordinal >= (uint)FieldCount) throw new IndexOutOfRangeException($"column {ordinal} does not exist; the result has {FieldCount} columns");
        return Batch.Columns[ordinal];
    }

    /// <inheritdoc />
    public override int FieldCount => Schema.Fields.Count;

    /// <inheritdoc />
    public override int RecordsAffected { get; }

    /// <inheritdoc />
    public override bool HasRows => Current is { } r && r.Batches.Any(b => b.Length > 0);

    /// <inheritdoc />
    public override bool IsClosed => _closed;

    /// <inheritdoc />
    public override int Depth => 0;

    /// <inheritdoc />
    public override object this[int ordinal] => GetValue(ordinal);

    /// <inheritdoc />
    public override object this[string name] => GetValue(GetOrdinal(name));

    /// <inheritdoc />
    public override bool Read()
    {
        if (_closed) throw new InvalidOperationException("the reader is closed");
        if (Current is not { } r) return false;
        if (_row < 0) { _batch = 0; _row = 0; }
        else _row++;
        while (_batch < r.Batches.Count && _row >= r.Batches[_batch].Length) { _batch++; _row = 0; }
        if (_batch < r.Batches.Count) return true;
        _row = int.MaxValue;
        return false;
    }

    /// <summary>The rows are in memory: completes synchronously.</summary>
    public override Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read());
    }

    /// <inheritdoc />
    public override bool NextResult()
    {
        if (_result >= _results.Count) return false;
        _result++;
        _batch = 0;
        _row = -1;
        return _result < _results.Count;
    }

    /// <inheritdoc />
    public override Task<bool> NextResultAsync(CancellationToken cancellationToken) => Task.FromResult(NextResult());

    /// <inheritdoc />
    public override void Close()
    {
        if (_closed) return;
        _closed = true;
        if ((_behavior & CommandBehavior.CloseConnection) != 0) _command?.Connection?.Close();
    }

    /// <inheritdoc />
    public override string GetName(int ordinal) => Schema.Fields[ordinal].Name;

    /// <inheritdoc />
    public override int GetOrdinal(string name)
    {
        for (int i = 0; i < FieldCount; i++) if (Schema.Fields[i].Name == name) return i;
        for (int i = 0; i < FieldCount; i++) if (string.Equals(Schema.Fields[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new IndexOutOfRangeException($"no column named '{name}'; the columns are: {string.Join(", ", Schema.Fields.Select(f => f.Name))}");
    }

    /// <summary>The column's QueryLake type, as SQL names it.</summary>
    public override string GetDataTypeName(int ordinal) => Schema.Fields[ordinal].DataType.ToString();

    /// <inheritdoc />
    public override Type GetFieldType(int ordinal) => ValueConverter.ClrType(Schema.Fields[ordinal].DataType);

    /// <inheritdoc />
    public override bool IsDBNull(int ordinal) => Column(ordinal).IsNull(_row);

    /// <inheritdoc />
    public override object GetValue(int ordinal) => ValueConverter.ToClr(Column(ordinal), _row) ?? DBNull.Value;

    /// <inheritdoc />
    public override int GetValues(object[] values)
    {
        int n = Math.Min(values.Length, FieldCount);
        for (int i = 0; i < n; i++) values[i] = GetValue(i);
        return n;
    }

    private T Primitive<T>(int ordinal) where T : unmanaged
    {
        var a = Column(ordinal);
        if (a.IsNull(_row)) throw new InvalidCastException($"column '{GetName(ordinal)}' is NULL in this row; check IsDBNull first");
        return a is PrimitiveArray<T> p ? p[_row] : (T)System.Convert.ChangeType(ValueConverter.ToClr(a, _row)!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override bool GetBoolean(int ordinal) => Column(ordinal) is BooleanArray b && !b.IsNull(_row) ? b.GetBoolean(_row) : System.Convert.ToBoolean(GetNonNull(ordinal), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override byte GetByte(int ordinal) => Primitive<byte>(ordinal);

    /// <inheritdoc />
    public override short GetInt16(int ordinal) => Primitive<short>(ordinal);

    /// <inheritdoc />
    public override int GetInt32(int ordinal) => Primitive<int>(ordinal);

    /// <inheritdoc />
    public override long GetInt64(int ordinal) => Primitive<long>(ordinal);

    /// <inheritdoc />
    public override float GetFloat(int ordinal) => Primitive<float>(ordinal);

    /// <inheritdoc />
    public override double GetDouble(int ordinal) => Primitive<double>(ordinal);

    /// <inheritdoc />
    public override decimal GetDecimal(int ordinal) => System.Convert.ToDecimal(GetNonNull(ordinal), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override char GetChar(int ordinal) => GetString(ordinal) is { Length: > 0 } s ? s[0] : throw new InvalidCastException("the string is empty");

    /// <inheritdoc />
    public override string GetString(int ordinal) => Column(ordinal) is BinaryArray b && !b.IsNull(_row) ? b.GetString(_row)! : System.Convert.ToString(GetNonNull(ordinal), CultureInfo.InvariantCulture)!;

    /// <inheritdoc />
    public override DateTime GetDateTime(int ordinal) => (DateTime)GetNonNull(ordinal);

    /// <inheritdoc />
    public override Guid GetGuid(int ordinal) => Guid.Parse(GetString(ordinal));

    private object GetNonNull(int ordinal) => ValueConverter.ToClr(Column(ordinal), _row)
        ?? throw new InvalidCastException($"column '{GetName(ordinal)}' is NULL in this row; check IsDBNull first");

    /// <summary>Copies part of a blob or string's bytes.</summary>
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        var bytes = ((BinaryArray)Column(ordinal)).GetMemory(_row).Span;
        if (buffer is null) return bytes.Length;
        if (dataOffset >= bytes.Length) return 0;
        int n = (int)Math.Min(length, bytes.Length - dataOffset);
        bytes.Slice((int)dataOffset, n).CopyTo(buffer.AsSpan(bufferOffset));
        return n;
    }

    /// <inheritdoc />
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        var s = GetString(ordinal);
        if (buffer is null) return s.Length;
        if (dataOffset >= s.Length) return 0;
        int n = (int)Math.Min(length, s.Length - dataOffset);
        s.CopyTo((int)dataOffset, buffer, bufferOffset, n);
        return n;
    }

    /// <summary>A read-only stream over a blob, without copying it.</summary>
    public override Stream GetStream(int ordinal)
    {
        if (Column(ordinal) is not BinaryArray b) throw new InvalidCastException($"column '{GetName(ordinal)}' is {GetDataTypeName(ordinal)}, not a blob");
        if (b.IsNull(_row)) throw new InvalidCastException($"column '{GetName(ordinal)}' is NULL in this row");
        return new Columnar.Memory.ReadOnlyMemoryStream(b.GetMemory(_row));
    }

    /// <summary>The value converted to <typeparamref name="T"/>: any numeric type, string, bool, DateTime, DateOnly,
    /// DateTimeOffset, byte[], Stream, float[] (embeddings and float lists), T[] and List&lt;T&gt; for lists, and
    /// Dictionary&lt;string, object?&gt; for structs. NULL gives default(T) for nullable T, else an InvalidCastException.</summary>
    public override T GetFieldValue<T>(int ordinal)
    {
        var a = Column(ordinal);
        if (a.IsNull(_row))
        {
            if (default(T) is null) return default!;
            throw new InvalidCastException($"column '{GetName(ordinal)}' is NULL in this row; read it as a nullable type");
        }
        if (typeof(T) == typeof(Stream)) return (T)(object)GetStream(ordinal);
        return (T)Convert(ValueConverter.ToClr(a, _row)!, typeof(T), GetName(ordinal));
    }

    private static object Convert(object value, Type target, string column)
    {
        var t = Nullable.GetUnderlyingType(target) ?? target;
        if (t.IsInstanceOfType(value)) return value;
        if (value is object?[] items)
        {
            if (t.IsArray)
            {
                var element = t.GetElementType()!;
                var arr = Array.CreateInstance(element, items.Length);
                for (int k = 0; k < items.Length; k++) arr.SetValue(items[k] is null ? null : Convert(items[k]!, element, column), k);
                return arr;
            }
            if (t.IsGenericType && t.GetGenericTypeDefinition() is var g && (g == typeof(List<>) || g == typeof(IList<>) || g == typeof(IReadOnlyList<>) || g == typeof(IEnumerable<>)))
            {
                var element = t.GetGenericArguments()[0];
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                foreach (var item in items) list.Add(item is null ? null : Convert(item, element, column));
                return list;
            }
        }
        if (value is float[] floats)
        {
            if (t == typeof(double[])) return floats.Select(f => (double)f).ToArray();
            if (t == typeof(List<float>)) return floats.ToList();
            if (t == typeof(ReadOnlyMemory<float>)) return new ReadOnlyMemory<float>(floats);
        }
        if (value is DateTime dt)
        {
            if (t == typeof(DateOnly)) return DateOnly.FromDateTime(dt);
            if (t == typeof(DateTimeOffset)) return new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc));
        }
        if (value is byte[] bytes && t == typeof(ReadOnlyMemory<byte>)) return new ReadOnlyMemory<byte>(bytes);
        if (t == typeof(Guid) && value is string gs) return Guid.Parse(gs);
        try
        {
            return t.IsEnum ? Enum.ToObject(t, value) : System.Convert.ChangeType(value, t, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new InvalidCastException($"column '{column}' holds {value.GetType().Name} values, which do not convert to {target.Name}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    /// <summary>Column descriptions: name, ordinal, CLR type, QueryLake type name, nullability.</summary>
    public override DataTable GetSchemaTable()
    {
        var table = new DataTable("SchemaTable");
        foreach (var (name, type) in new[] { ("ColumnName", typeof(string)), ("ColumnOrdinal", typeof(int)), ("ColumnSize", typeof(int)), ("DataType", typeof(Type)),
                     ("DataTypeName", typeof(string)), ("AllowDBNull", typeof(bool)), ("IsKey", typeof(bool)), ("IsLong", typeof(bool)), ("IsReadOnly", typeof(bool)),
                     ("NumericPrecision", typeof(int)), ("NumericScale", typeof(int)), ("BaseColumnName", typeof(string)) })
            table.Columns.Add(name, type);
        foreach (var c in GetColumnSchema())
            table.Rows.Add(c.ColumnName, c.ColumnOrdinal, c.ColumnSize ?? -1, c.DataType, c.DataTypeName, c.AllowDBNull ?? true, false, c.IsLong ?? false, true,
                DBNull.Value, DBNull.Value, c.BaseColumnName);
        return table;
    }

    /// <summary>Column descriptions as <see cref="DbColumn"/>s.</summary>
    public ReadOnlyCollection<DbColumn> GetColumnSchema() =>
        Schema.Fields.Select((f, i) => (DbColumn)new ColumnDescription(f, i)).ToList().AsReadOnly();

    private sealed class ColumnDescription : DbColumn
    {
        public ColumnDescription(Field f, int ordinal)
        {
            ColumnName = f.Name;
            BaseColumnName = f.Name;
            ColumnOrdinal = ordinal;
            DataType = ValueConverter.ClrType(f.DataType);
            DataTypeName = f.DataType.ToString();
            AllowDBNull = f.Nullable;
            IsReadOnly = true;
            IsLong = DataType == typeof(byte[]);
            ColumnSize = -1;
        }
    }
}
