using System.Globalization;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Columnar.Memory;
using QueryLake.Errors;

namespace QueryLake.Kernels;

/// <summary>
/// Casts between types following DuckDB: numbers convert with range checks (out of range is an error,
/// or NULL under TRY_CAST), strings parse strictly, and NULL stays NULL.
/// </summary>
internal static class CastKernel
{
    public static bool CanCast(DataType from, DataType to)
    {
        if (from.Equals(to)) return true;
        if (from is StructType fs && to is StructType ts)
            return fs.Fields.Count == ts.Fields.Count && fs.Fields.Zip(ts.Fields).All(p =>
                string.Equals(p.First.Name, p.Second.Name, StringComparison.OrdinalIgnoreCase) && CanCast(p.First.DataType, p.Second.DataType));
        if (to is IntervalType || from is IntervalType)
            return from.StorageType is VariableBinaryType { IsUtf8: true } || to.StorageType is VariableBinaryType { IsUtf8: true } || from is NullType;
        // UUID from and to its text; fixed-size binary (UUID included) from and to BLOB.
        if (to is UuidType && from.StorageType is VariableBinaryType { IsUtf8: true } || from is UuidType && to.StorageType is VariableBinaryType { IsUtf8: true })
            return true;
        if (to.StorageType is FixedSizeBinaryType || from.StorageType is FixedSizeBinaryType)
            return from is NullType || from.StorageType is VariableBinaryType { IsUtf8: false } or FixedSizeBinaryType && to.StorageType is VariableBinaryType { IsUtf8: false } or FixedSizeBinaryType;
        bool Scalar(DataType t) => t.StorageType is PrimitiveType or TimestampType or DecimalType or VariableBinaryType { IsUtf8: true } || t is DictionaryType;
        // Text to BLOB: its UTF-8 bytes (as DuckDB does for text without \x escapes).
        if (from.StorageType is VariableBinaryType { IsUtf8: true } && to.StorageType is VariableBinaryType { IsUtf8: false }) return true;
        if (to is TensorType tensor && Item(from) is { } nested)
        {
            while (Item(nested) is { } inner) nested = inner;
            return CanCast(nested, tensor.DType);
        }
        if (from.StorageType is VariableBinaryType { IsUtf8: true } && Item(to) is { } parsed) return CanCast(DataType.Float64, parsed) || CanCast(DataType.Utf8, parsed);
        // A list or struct to its text, as DuckDB writes it.
        if (to.StorageType is VariableBinaryType { IsUtf8: true } && (from is StructType || Item(from) is not null && from is not TensorType)) return true;
        return Scalar(from) && Scalar(to) || Item(from) is { } a && Item(to) is { } b && CanCast(a, b);
    }

    /// <summary>The element type of a list, fixed-size list, EMBEDDING or tensor; null for other types.</summary>
    private static DataType? Item(DataType t) => t.StorageType switch
    {
        ListType l => l.ValueType,
        FixedSizeListType f => f.ValueType,
        _ => null,
    };

    /// <summary>Text holding JSON arrays ('[0.1, 0.2]', as CSV files carry embeddings) as a list of their elements
    /// (DOUBLE when all are numbers, else text; nested arrays flattened row-major), for casts to lists, embeddings
    /// and tensors.</summary>
    private static ArrowArray ParseLists(ArrowArray input, bool tryCast)
    {
        var type = DataType.List(DataType.Float64);
        var rows = new object?[input.Length];
        bool numbers = true;
        for (int i = 0; i < input.Length; i++)
        {
            if (input.IsNull(i)) continue;
            var text = (string)input.GetValue(i)!;
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Array) throw new CastProblem("it is not a [ … ] array");
                rows[i] = Flat(doc.RootElement).ToArray();
                numbers &= ((object?[])rows[i]!).All(x => x is null or double);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
            {
                if (!tryCast) throw new QueryLakeException("QL-CAST", $"cannot cast {Show(text)} to a list: {Why(e, "JSON array")}");
            }
        }
        if (!numbers) type = DataType.List(DataType.Utf8);
        var b = ArrayBuilder.Create(numbers ? type : DataType.List(DataType.Utf8));
        foreach (var r in rows) b.Append(r is null ? null : numbers ? r : ((object?[])r).Select(x => x is null ? null : (object?)System.Convert.ToString(x, CultureInfo.InvariantCulture)).ToArray());
        return b.Build();

        // Nested arrays flatten row-major (a tensor written as [[1, 2], [3, 4]]).
        static IEnumerable<object?> Flat(System.Text.Json.JsonElement array)
        {
            foreach (var e in array.EnumerateArray())
            {
                if (e.ValueKind == System.Text.Json.JsonValueKind.Array) { foreach (var x in Flat(e)) yield return x; continue; }
                yield return e.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.Number => e.GetDouble(),
                    System.Text.Json.JsonValueKind.String => e.GetString(),
                    System.Text.Json.JsonValueKind.True => true,
                    System.Text.Json.JsonValueKind.False => false,
                    _ => null,
                };
            }
        }
    }

    /// <summary>A list's elements; for a TENSOR target, nested lists ([[1, 2], [3, 4]]) flattened row-major.</summary>
    private static IEnumerable<object?> Flatten(System.Collections.IEnumerable items, bool nested)
    {
        foreach (var item in items)
            if (nested && item is System.Collections.IEnumerable inner and not string and not byte[])
                foreach (var x in Flatten(inner, nested)) yield return x;
            else yield return item;
    }

    /// <summary>Lists cast element by element ([1, 2] to DOUBLE[], a list of numbers to EMBEDDING(d) when it has d
    /// of them).</summary>
    private static ArrowArray CastList(ArrowArray input, DataType to, bool tryCast)
    {
        var from = Item(input.Type)!;
        while (to is TensorType && Item(from) is { } inner) from = inner;
        var target = Item(to)!;
        int? size = to.StorageType is FixedSizeListType f ? f.ListSize : null;
        var b = ArrayBuilder.Create(to);
        for (int i = 0; i < input.Length; i++)
        {
            if (input.IsNull(i)) { b.AppendNull(); continue; }
            var items = Flatten((System.Collections.IEnumerable)input.GetValue(i)!, to is TensorType).ToList();
            try
            {
                if (size is { } n && items.Count != n)
                    throw new CastProblem($"it has {items.Count} elements, not {n}");
                b.Append(items.Select(v => v is null ? null : Convert(v, from, target)).ToArray());
            }
            catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException or ArgumentException)
            {
                if (tryCast) { b.AppendNull(); continue; }
                throw new QueryLakeException("QL-CAST", $"cannot cast row {i + 1}'s list ({SqlTypeName.Of(input.Type)}) to {SqlTypeName.Of(to)}: {Why(e, SqlTypeName.Of(target))}");
            }
        }
        return b.Build();
    }

    /// <summary>Structs cast field by field to a struct with the same field names (<c>{'a': 1, 'b': NULL}</c> to
    /// <c>STRUCT(a BIGINT, b BIGINT)</c>); the struct's own NULLs stay.</summary>
    private static ArrowArray CastStruct(StructArray input, StructType to, bool tryCast)
    {
        var children = to.Fields.Select((f, i) => Cast(input.Field(i), f.DataType, tryCast).Data).ToArray();
        var validity = ArrowBuffer.Empty;
        if (input.NullCount > 0)
        {
            var bits = new byte[BitUtil.BytesFor(input.Length)];
            BitUtil.CopyBits(input.Data.Validity.Span, input.Data.Offset, bits, 0, input.Length);
            validity = ArrowBuffer.Copy(bits);
        }
        return ArrowArray.FromData(new ArrayData(to, input.Length, 0, input.NullCount, [validity], children));
    }

    public static ArrowArray Cast(ArrowArray input, DataType to, bool tryCast)
    {
        if (input.Type.Equals(to)) return input;
        if (input.Type.StorageType.Equals(to.StorageType) && (input.Type is ExtensionType || to is ExtensionType))
            return ArrowArray.FromData(input.Data.WithType(to));
        if (input is DictionaryArray dict)
            return Cast(Gather.Rows(dict.Dictionary.Type, [dict.Dictionary], Indices(dict)), to, tryCast);
        if (Item(input.Type) is not null && Item(to) is not null) return CastList(input, to, tryCast);
        if (input is StructArray st && to is StructType target) return CastStruct(st, target, tryCast);
        if (input.Type.StorageType is VariableBinaryType { IsUtf8: true } && Item(to) is not null) return CastList(ParseLists(input, tryCast), to, tryCast);
        if (input.Type is DecimalType || to is DecimalType) { if (Decimals(input, to, tryCast) is { } exact) return exact; }
        // Fast numeric paths.
        if (to is PrimitiveType { Id: TypeId.Float64 } && input.Type.IsNumeric) return ToFloat64(input);
        if (to is PrimitiveType { Id: TypeId.Int64 } && input.Type.IsInteger && input.Type.Id != TypeId.UInt64) return ToInt64(input);
        var b = ArrayBuilder.Create(to);
        for (int i = 0; i < input.Length; i++)
        {
            if (input.IsNull(i)) { b.AppendNull(); continue; }
            object? v;
            try
            {
                v = Convert(input.GetValue(i)!, input.Type, to);
            }
            catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException or ArgumentException)
            {
                if (tryCast) { b.AppendNull(); continue; }
                throw new QueryLakeException("QL-CAST", $"cannot cast {Show(input.GetValue(i))} ({SqlTypeName.Of(input.Type)}) to {SqlTypeName.Of(to)}: {Why(e, SqlTypeName.Of(to))}");
            }
            b.Append(v);
        }
        return b.Build();
    }

    /// <summary>Whole-array casts between DECIMALs (rescaled, rounding half away from zero), from integers and doubles
    /// to DECIMAL, and from DECIMAL to double; null for the other pairs, which convert value by value.</summary>
    private static ArrowArray? Decimals(ArrowArray input, DataType to, bool tryCast)
    {
        int n = input.Length;
        if (input is PrimitiveArray<Int128> d && input.Type is DecimalType from)
        {
            var v = d.Values;
            if (to is PrimitiveType { Id: TypeId.Float64 or TypeId.Float32 } f)
            {
                var r = new double[n];
                for (int i = 0; i < n; i++) r[i] = DecimalMath.ToDouble(v[i], from.Scale);
                var doubles = Vectors.Make(DataType.Float64, r, Validity(input), input.NullCount);
                return f.Id == TypeId.Float64 ? doubles : Cast(doubles, to, tryCast);
            }
            if (to is DecimalType target)
                return Build(target, i => DecimalMath.Fit(d[i], from.Scale, target, () => DecimalMath.Format(d[i], from.Scale)));
            return null;
        }
        if (to is not DecimalType into) return null;
        if (input.Type.IsInteger && input.Type.Id != TypeId.UInt64)
        {
            var longs = ToInt64(input);
            return Build(into, i => DecimalMath.FromInteger(longs[i], into));
        }
        if (input is PrimitiveArray<double> dbl) return Build(into, i => DecimalMath.FromDouble(dbl[i], into));
        return null;

        ArrowArray Build(DecimalType type, Func<int, Int128> convert)
        {
            var values = new Int128[n];
            var valid = new byte[BitUtil.BytesFor(n)];
            int nulls = 0;
            for (int i = 0; i < n; i++)
            {
                if (input.IsNull(i)) { nulls++; continue; }
                try { values[i] = convert(i); }
                catch (QueryLakeException) when (tryCast) { nulls++; continue; }
                catch (QueryLakeException e) { throw new QueryLakeException("QL-CAST", $"cannot cast {Show(input.GetValue(i))} ({SqlTypeName.Of(input.Type)}) to {SqlTypeName.Of(type)}: {e.Message}"); }
                BitUtil.SetBit(valid, i, true);
            }
            return Vectors.Make(type, values, nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(valid), nulls);
        }
    }

    /// <summary>A reason a value does not convert, in QueryLake's words: its own explanations as they are, and for a
    /// .NET parser's failure what it means (never the runtime's message).</summary>
    private static string Why(Exception e, string target) => e switch
    {
        CastProblem => e.Message,
        OverflowException => $"it is out of range for {target}",
        System.Text.Json.JsonException => "it is not valid JSON",
        _ => $"it is not a valid {target}",
    };

    /// <summary>A value that does not convert, with the reason in QueryLake's words.</summary>
    private sealed class CastProblem(string message) : FormatException(message);

    private static Gather.Pick[] Indices(DictionaryArray d)
    {
        var picks = new Gather.Pick[d.Length];
        for (int i = 0; i < d.Length; i++) picks[i] = new Gather.Pick(0, d.IsNull(i) ? 0 : (int)d.GetIndex(i));
        return picks;
    }

    private static string Show(object? v) => v switch
    {
        null => "NULL",
        string s => $"'{s}'",
        byte[] bytes => $"<blob {bytes.Length} bytes>",
        System.Collections.IDictionary fields => "{" + string.Join(", ", fields.Keys.Cast<object?>().Select(k => $"{k}: {Show(fields[k!])}")) + "}",
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Show)) + "]",
        _ => System.Convert.ToString(v, CultureInfo.InvariantCulture) ?? "NULL",
    };

    public static PrimitiveArray<double> ToFloat64(ArrowArray a)
    {
        if (a is PrimitiveArray<double> d) return d;
        var memory = Vectors.Allocate<double>(a.Length, clear: false, out var r); // every slot is written below
        switch (a)
        {
            case PrimitiveArray<float> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<long> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<int> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<short> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<sbyte> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<ulong> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<uint> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<ushort> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<byte> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            default: throw new InvalidOperationException($"not numeric: {a.Type}");
        }
        return Vectors.Make<double>(DataType.Float64, memory, Validity(a), a.NullCount);
    }

    public static PrimitiveArray<long> ToInt64(ArrowArray a)
    {
        if (a is PrimitiveArray<long> l && a.Type.Id == TypeId.Int64) return l;
        var memory = Vectors.Allocate<long>(a.Length, clear: false, out var r); // every slot is written below
        switch (a)
        {
            case PrimitiveArray<long> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<int> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<short> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<sbyte> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<uint> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<ushort> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            case PrimitiveArray<byte> x: for (int i = 0; i < r.Length; i++) r[i] = x[i]; break;
            default: throw new InvalidOperationException($"not an integer: {a.Type}");
        }
        return Vectors.Make<long>(DataType.Int64, memory, Validity(a), a.NullCount);
    }

    /// <summary>The validity bitmap re-based to offset 0.</summary>
    public static Columnar.Memory.ArrowBuffer Validity(ArrowArray a)
    {
        if (a.NullCount == 0) return Columnar.Memory.ArrowBuffer.Empty;
        if (a.Data.Offset == 0) return a.Data.Validity;
        var bits = new byte[Columnar.Memory.BitUtil.BytesFor(a.Length)];
        Columnar.Memory.BitUtil.CopyBits(a.Data.Validity.Span, a.Data.Offset, bits, 0, a.Length);
        return Columnar.Memory.ArrowBuffer.Copy(bits);
    }

    /// <summary>A UUID's text: 32 hex digits, with or without the hyphens of the 8-4-4-4-12 form and braces around
    /// (as DuckDB and PostgreSQL accept).</summary>
    private static Guid ParseUuid(string text)
    {
        var t = text.Trim();
        if (t.Length == 38 && t[0] == '{' && t[^1] == '}') t = t[1..^1];
        if (t.Length is 36 or 32 && Guid.TryParseExact(t, t.Length == 36 ? "D" : "N", out var g)) return g;
        throw new CastProblem($"'{text}' is not a UUID (32 hex digits as 8-4-4-4-12)");
    }

    /// <summary>Converts one non-null value (in its <see cref="ArrowArray.GetValue"/> form) to the target type.</summary>
    public static object Convert(object v, DataType from, DataType to)
    {
        var inv = CultureInfo.InvariantCulture;
        if (to is IntervalType)
            return v is string text ? IntervalValue.TryParse(text, null, out var problem) ?? throw new CastProblem(problem!) : throw new CastProblem($"{from} does not convert to interval");
        if (to is UuidType)
            return v switch
            {
                Guid g => g,
                string text => ParseUuid(text),
                byte[] { Length: 16 } bytes => UuidType.FromBytes(bytes),
                byte[] bytes => throw new CastProblem($"a UUID has 16 bytes, not {bytes.Length}"),
                _ => throw new CastProblem($"{from} does not convert to uuid"),
            };
        if (to.StorageType is FixedSizeBinaryType fixedWidth)
            return v switch
            {
                byte[] bytes when bytes.Length == fixedWidth.ByteWidth => bytes,
                Guid g when fixedWidth.ByteWidth == 16 => UuidType.ToBytes(g),
                byte[] bytes => throw new CastProblem($"a {to} value has {fixedWidth.ByteWidth} bytes, not {bytes.Length}"),
                _ => throw new CastProblem($"{from} does not convert to {to}"),
            };
        if (to.StorageType is VariableBinaryType { IsUtf8: false } && v is Guid uuid) return UuidType.ToBytes(uuid);
        if (to is DecimalType dt)
        {
            Int128 unscaled = v switch
            {
                string s => DecimalMath.Parse(s, dt) ?? throw new CastProblem($"'{s}' is not a number"),
                decimal m => DecimalMath.FromDecimal(m, dt),
                System.Data.SqlTypes.SqlDecimal big => DecimalMath.Parse(big.ToString(), dt)!.Value,
                double d => DecimalMath.FromDouble(d, dt),
                float f => DecimalMath.FromDouble(f, dt),
                bool b => DecimalMath.FromInteger(b ? 1 : 0, dt),
                ulong u => DecimalMath.FromInteger(u, dt),
                long or int or short or sbyte or byte or ushort or uint => DecimalMath.FromInteger(System.Convert.ToInt64(v, inv), dt),
                _ => throw new CastProblem($"{from} does not convert to {to}"),
            };
            return DecimalMath.ToObject(unscaled, dt.Scale);
        }
        switch (to.StorageType)
        {
            case VariableBinaryType { IsUtf8: false } when v is string text:
                return System.Text.Encoding.UTF8.GetBytes(text);
            case VariableBinaryType { IsUtf8: true }:
                return v switch
                {
                    bool b => b ? "true" : "false",
                    double d => FormatDouble(d),
                    float f => FormatDouble(f),
                    DateOnly d => d.ToString("yyyy-MM-dd", inv),
                    DateTime t => t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", inv),
                    object?[] or IReadOnlyDictionary<string, object?> and not IntervalValue => Nested(v, from),
                    _ => System.Convert.ToString(v, inv)!,
                };
            case PrimitiveType { Id: TypeId.Boolean }:
                return v switch
                {
                    string s => s.Trim().ToLowerInvariant() switch
                    {
                        "true" or "t" or "1" or "yes" or "y" => true,
                        "false" or "f" or "0" or "no" or "n" => false,
                        _ => throw new CastProblem($"'{s}' is not a boolean"),
                    },
                    bool b => b,
                    _ => System.Convert.ToDouble(v, inv) != 0,
                };
            case PrimitiveType { Id: TypeId.Date32 }:
                return v switch
                {
                    string s => DateOnly.ParseExact(s.Trim(), ["yyyy-MM-dd", "yyyy-M-d", "yyyy/MM/dd"], inv),
                    DateTime t => DateOnly.FromDateTime(t),
                    _ => throw new CastProblem($"{from} does not convert to date"),
                };
            case TimestampType:
                return v switch
                {
                    string s => DateTime.SpecifyKind(DateTime.Parse(s.Trim(), inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
                    DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                    DateTime t => t,
                    _ => throw new CastProblem($"{from} does not convert to timestamp"),
                };
            case PrimitiveType { IsFloatingPoint: true } p:
                double dv = v is string s2 ? double.Parse(s2.Trim(), NumberStyles.Float, inv) : v is bool bb ? (bb ? 1 : 0) : System.Convert.ToDouble(v, inv);
                return p.Id == TypeId.Float32 ? (float)dv : dv;
            case PrimitiveType { IsInteger: true } p:
                object n = v switch
                {
                    string s => decimal.Parse(s.Trim(), NumberStyles.Float, inv),
                    bool b => b ? 1 : 0,
                    double d => Math.Round(d, MidpointRounding.AwayFromZero) is var r && (double.IsNaN(r) || double.IsInfinity(r)) ? throw new OverflowException("not a finite number") : (decimal)r,
                    float f => (decimal)Math.Round((double)f, MidpointRounding.AwayFromZero),
                    _ => v,
                };
                if (n is decimal dec && dec != decimal.Truncate(dec)) n = decimal.Round(dec, MidpointRounding.AwayFromZero);
                return p.Id switch
                {
                    TypeId.Int8 => System.Convert.ToSByte(n, inv), TypeId.Int16 => System.Convert.ToInt16(n, inv),
                    TypeId.Int32 => System.Convert.ToInt32(n, inv), TypeId.Int64 => System.Convert.ToInt64(n, inv),
                    TypeId.UInt8 => System.Convert.ToByte(n, inv), TypeId.UInt16 => System.Convert.ToUInt16(n, inv),
                    TypeId.UInt32 => System.Convert.ToUInt32(n, inv), _ => System.Convert.ToUInt64(n, inv),
                };
            default:
                throw new CastProblem($"cannot cast {from} to {to}");
        }
    }

    /// <summary>A list's or struct's text as DuckDB writes it: <c>[1, 2]</c>, <c>{'a': 1, 'b': x}</c>; values inside
    /// are bare unless their text could read as something else (empty, NULL, padded, or holding a delimiter such as
    /// a timestamp's colons), then single-quoted with <c>\'</c> for a quote.</summary>
    private static string Nested(object? v, DataType type) => (v, type.StorageType) switch
    {
        (null, _) => "NULL",
        (object?[] items, ListType l) => "[" + string.Join(", ", items.Select(x => Nested(x, l.ValueType))) + "]",
        (object?[] items, FixedSizeListType l) => "[" + string.Join(", ", items.Select(x => Nested(x, l.ValueType))) + "]",
        (IReadOnlyDictionary<string, object?> fields, StructType s) when type is not IntervalType =>
            "{" + string.Join(", ", s.Fields.Select(f => $"'{f.Name.Replace("'", "\\'")}': {Nested(fields.GetValueOrDefault(f.Name), f.DataType)}")) + "}",
        (IReadOnlyDictionary<string, object?> fields, _) when type is IntervalType && v is not IntervalValue =>
            Quoted(new IntervalValue((int)fields["months"]!, (int)fields["days"]!, (long)fields["micros"]!).ToString()),
        _ => Quoted((string)Convert(v, type, DataType.Utf8)),
    };

    private static string Quoted(string s) => NeedsQuotes(s) ? "'" + s.Replace("'", "\\'") + "'" : s;

    private static bool NeedsQuotes(string s) =>
        s.Length == 0 || char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]) || s.Equals("NULL", StringComparison.OrdinalIgnoreCase)
        || s.AsSpan().IndexOfAny(",:[]{}()='\"") >= 0;

    public static string FormatDouble(double d) =>
        double.IsNaN(d) ? "nan" : double.IsPositiveInfinity(d) ? "inf" : double.IsNegativeInfinity(d) ? "-inf"
        : d == Math.Floor(d) && Math.Abs(d) < 1e15 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
}
