using System.Collections;
using System.Collections.ObjectModel;
using System.Data;
using System.Data.Common;
using System.Globalization;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Sessions;

namespace QueryLake.Data;

/// <summary>
/// Reads a command's results: one result set per statement that returns rows (<see cref="NextResult"/> moves on).
/// Statements run as the reader reaches them, and a query's rows stream: <see cref="Read"/> computes the next batch when
/// the current one is used up, and <see cref="ReadAsync"/> computes it off the caller's thread, so memory stays flat
/// however many rows the query returns. Closing the reader stops the current query and runs the statements not yet
/// reached. Values come straight from the Arrow batches: typed getters read them without boxing,
/// <see cref="GetStream"/> reads a blob without copying it, and <see cref="GetFieldValue{T}"/> converts to float[]
/// (embeddings), byte[], Stream, arrays, lists and dictionaries (structs).
/// </summary>
public sealed class QueryLakeDataReader : DbDataReader
{
    private readonly CommandExecution _execution;
    private readonly IEnumerator<QueryResult> _statements;
    private readonly QueryLakeCommand? _command;
    private readonly CommandBehavior _behavior;
    private QueryResult? _current;
    private IEnumerator<RecordBatch>? _batches;
    private RecordBatch? _batch;
    private RecordBatch? _peeked;
    private int _row = -1;
    private long? _affected;
    private bool _closed;
    private bool _failed;

    internal QueryLakeDataReader(CommandExecution execution, IEnumerable<QueryResult> statements, QueryLakeCommand? command, CommandBehavior behavior)
    {
        _execution = execution;
        _command = command;
        _behavior = behavior;
        try
        {
            _statements = Step(statements.GetEnumerator);
            NextSet();
        }
        catch
        {
            execution.Dispose();
            throw;
        }
    }

    /// <summary>Runs statements up to the next one that returns rows (statements that return no columns, such as CREATE
    /// and INSERT, are not result sets; their counts go to <see cref="RecordsAffected"/>).</summary>
    private bool NextSet()
    {
        EndSet();
        while (Step(_statements.MoveNext))
        {
            var r = _statements.Current;
            if (r.Schema.Fields.Count > 0 && r.RowsAffected is null)
            {
                _current = r;
                _batches = r.GetEnumerator();
                return true;
            }
            if (r.RowsAffected is { } n) _affected = (_affected ?? 0) + n;
            r.Dispose();
        }
        return false;
    }

    private void EndSet()
    {
        _batches?.Dispose();
        _current?.Dispose();
        _batches = null;
        _current = null;
        _batch = _peeked = null;
        _row = -1;
    }

    /// <summary>The next batch with rows of the current result set, computed now; null at its end.</summary>
    private RecordBatch? NextBatch()
    {
        if (_peeked is { } p) { _peeked = null; return p; }
        if (_batches is not { } e) return null;
        while (Step(e.MoveNext))
            if (e.Current.Length > 0) return e.Current;
        return null;
    }

    /// <summary>Runs a step of the command; after a failure, closing the reader runs no further statements.</summary>
    private T Step<T>(Func<T> step)
    {
        try { return _execution.Guard(step); }
        catch { _failed = true; throw; }
    }

    private Schema Schema => _current?.Schema ?? new Schema([]);

    private RecordBatch Batch => _row >= 0 && _batch is { } b && _row < b.Length ? b
        : throw new InvalidOperationException("no current row: call Read() first (and check that it returned true)");

    private ArrowArray Column(int ordinal)
    {
        if ((uint)ordinal >= (uint)FieldCount) throw new IndexOutOfRangeException($"column {ordinal} does not exist; the result has {FieldCount} columns");
        return Batch.Columns[ordinal];
    }

    /// <inheritdoc />
    public override int FieldCount => Schema.Fields.Count;

    /// <summary>Rows changed by the INSERT, UPDATE, DELETE, IMPORT and COPY statements that have run (all of them once
    /// the reader is closed); -1 when none has changed rows.</summary>
    public override int RecordsAffected => _affected is { } n ? (int)Math.Min(int.MaxValue, n) : -1;

    /// <summary>Whether the current result set has rows (computes its first batch if no row was read yet).</summary>
    public override bool HasRows
    {
        get
        {
            if (_closed || _current is null) return false;
            if (_batch is not null && _row >= 0 && _row < _batch.Length) return true;
            if (_row < 0 && _peeked is null) _peeked = NextBatch();
            return _peeked is not null || (_batch is not null && _row < _batch.Length);
        }
    }

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
        if (_current is null) return false;
        if (_batch is { } b && _row + 1 < b.Length) { _row++; return true; }
        return Advance(NextBatch());
    }

    private bool Advance(RecordBatch? next)
    {
        _batch = next;
        if (next is null) { _row = int.MaxValue; return false; }
        _row = 0;
        return true;
    }

    /// <summary>Moves to the next row; when the current batch is used up, the next is computed on the thread pool and
    /// the task completes when it is ready.</summary>
    public override async Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_closed) throw new InvalidOperationException("the reader is closed");
        if (_current is null) return false;
        if (_batch is { } b && _row + 1 < b.Length) { _row++; return true; }
        if (_peeked is not null) return Advance(NextBatch());
        return Advance(await Task.Run(NextBatch, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops the current result set and runs the statements up to the next one that returns rows.</summary>
    public override bool NextResult()
    {
        if (_closed) throw new InvalidOperationException("the reader is closed");
        return NextSet();
    }

    /// <inheritdoc />
    public override Task<bool> NextResultAsync(CancellationToken cancellationToken) => Task.Run(NextResult, cancellationToken);

    /// <summary>Stops the current query and runs the statements not reached yet (their queries compute no rows).</summary>
    public override void Close()
    {
        if (_closed) return;
        try
        {
            while (!_failed && NextSet()) { }
        }
        finally
        {
            _closed = true;
            EndSet();
            _statements.Dispose();
            _execution.Dispose();
            if ((_behavior & CommandBehavior.CloseConnection) != 0) _command?.Connection?.Close();
        }
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
    public override string GetDataTypeName(int ordinal) => SqlTypeName.Of(Schema.Fields[ordinal].DataType);

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
        // The common case first, as cheaply as before: a number column of exactly this type.
        if (Column(ordinal) is PrimitiveArray<T> same && same.Type is PrimitiveType { IsNumeric: true } && !same.IsNull(_row)) return same[_row];
        var a = Typed(ordinal, IsNumber, typeof(T).Name);
        if (a.IsNull(_row)) throw new InvalidCastException($"column '{GetName(ordinal)}' is NULL in this row; check IsDBNull first");
        if (a is PrimitiveArray<T> p) return p[_row];
        try { return (T)System.Convert.ChangeType(ValueConverter.ToClr(a, _row)!, typeof(T), CultureInfo.InvariantCulture); }
        catch (OverflowException)
        {
            throw new InvalidCastException($"column '{GetName(ordinal)}' holds {ValueConverter.ToClr(a, _row)} in this row, which does not fit {typeof(T).Name}");
        }
    }

    private static bool IsNumber(DataType t) => t.StorageType is PrimitiveType { IsNumeric: true } or DecimalType;

    /// <summary>The column, when its type is one the getter reads; otherwise an InvalidCastException that names both
    /// (as Npgsql does: a getter does not parse text or turn numbers into text).</summary>
    private ArrowArray Typed(int ordinal, Func<DataType, bool> reads, string getter)
    {
        var a = Column(ordinal);
        var type = Schema.Fields[ordinal].DataType;
        var value = type is DictionaryType d ? d.ValueType : type;
        return reads(value) ? a : throw new InvalidCastException($"column '{GetName(ordinal)}' is {GetDataTypeName(ordinal)}; it cannot be read as {getter}");
    }

    /// <inheritdoc />
    public override bool GetBoolean(int ordinal) =>
        Typed(ordinal, t => t.StorageType is PrimitiveType { Id: TypeId.Boolean }, "Boolean") is BooleanArray b && !b.IsNull(_row) ? b.GetBoolean(_row) : (bool)GetNonNull(ordinal);

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
    public override decimal GetDecimal(int ordinal)
    {
        Typed(ordinal, IsNumber, "Decimal");
        try { return System.Convert.ToDecimal(GetNonNull(ordinal), CultureInfo.InvariantCulture); }
        catch (OverflowException) { throw new InvalidCastException($"column '{GetName(ordinal)}' holds a value that does not fit Decimal in this row"); }
    }

    /// <inheritdoc />
    public override char GetChar(int ordinal) => GetString(ordinal) is { Length: > 0 } s ? s[0] : throw new InvalidCastException("the string is empty");

    /// <inheritdoc />
    public override string GetString(int ordinal) =>
        Typed(ordinal, t => t.StorageType is VariableBinaryType { IsUtf8: true }, "String") is BinaryArray b && !b.IsNull(_row) ? b.GetString(_row)! : (string)GetNonNull(ordinal);

    /// <inheritdoc />
    public override DateTime GetDateTime(int ordinal)
    {
        Typed(ordinal, t => t.StorageType is TimestampType or PrimitiveType { Id: TypeId.Date32 }, "DateTime");
        return (DateTime)GetNonNull(ordinal);
    }

    /// <inheritdoc />
    public override Guid GetGuid(int ordinal)
    {
        Typed(ordinal, t => t is UuidType, "Guid");
        return (Guid)GetNonNull(ordinal);
    }

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
        if (Typed(ordinal, t => t.StorageType is VariableBinaryType { IsUtf8: false }, "Stream (a BLOB or IMAGE)") is not BinaryArray b)
            throw new InvalidCastException($"column '{GetName(ordinal)}' is {GetDataTypeName(ordinal)}, not a blob");
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
            DataTypeName = SqlTypeName.Of(f.DataType);
            AllowDBNull = f.Nullable;
            IsReadOnly = true;
            IsLong = DataType == typeof(byte[]);
            ColumnSize = -1;
        }
    }
}
