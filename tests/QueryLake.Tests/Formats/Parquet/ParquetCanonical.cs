using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using Xunit;

namespace QueryLake.Tests.Formats.Parquet;

/// <summary>The canonical form DuckDbParquetMatrix makes DuckDB print: integers as strings, floats and
/// decimals as numbers, dates as days, times and timestamps as microseconds, blobs as base64, maps as
/// lists of {key, value}.</summary>
public static class ParquetCanonical
{
    public static JsonNode? Value(ArrowArray a, int i)
    {
        if (a.IsNull(i)) return null;
        var t = a.Type.StorageType;
        switch (a)
        {
            case BooleanArray b: return b.GetBoolean(i);
            case PrimitiveArray<float> f: return (double)f[i];
            case PrimitiveArray<double> d: return d[i];
            // DECIMAL as DuckDB's CAST(x AS DOUBLE): the unscaled integer over 10^scale.
            case PrimitiveArray<Int128> x when t is DecimalType exact: return QueryLake.Columnar.Types.DecimalMath.ToDouble(x[i], exact.Scale);
            case BinaryArray s:
                return ((VariableBinaryType)t).IsUtf8 ? s.GetString(i) : Convert.ToBase64String(s.GetBytes(i));
            case ListArray l:
                {
                    var arr = new JsonArray();
                    var slice = l.GetSlice(i);
                    for (int j = 0; j < slice.Length; j++) arr.Add(Value(slice, j));
                    return arr;
                }
            case FixedSizeListArray fl:
                {
                    var arr = new JsonArray();
                    var slice = fl.GetSlice(i);
                    for (int j = 0; j < slice.Length; j++) arr.Add(Value(slice, j));
                    return arr;
                }
            case StructArray st:
                {
                    var o = new JsonObject();
                    for (int j = 0; j < st.StructType.Fields.Count; j++) o[st.StructType.Fields[j].Name] = Value(st.Field(j), i);
                    return o;
                }
        }
        var v = a.GetValue(i);
        if (a.Type is TimestampType ts && v is DateTime dt) return (((DateTimeOffset)DateTime.SpecifyKind(dt, DateTimeKind.Utc)).ToUnixTimeMilliseconds() * 1000 + dt.Ticks % 10000 / 10).ToString(CultureInfo.InvariantCulture);
        if (a.Type.Id == TypeId.Date32 && v is DateOnly d32) return (d32.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber).ToString(CultureInfo.InvariantCulture);
        return Convert.ToString(v, CultureInfo.InvariantCulture);
    }

    public static JsonArray Row(RecordBatch b, int r)
    {
        var row = new JsonArray();
        foreach (var c in b.Columns) row.Add(Value(c, r));
        return row;
    }

    /// <summary>Deep equality; numbers compare as doubles, exactly.</summary>
    public static void AssertEqual(JsonNode? expected, JsonNode? actual, string where)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{where}: expected {expected?.ToJsonString() ?? "null"}, got {actual?.ToJsonString() ?? "null"}");
            return;
        }
        switch (expected)
        {
            case JsonArray ea:
                var aa = Assert.IsType<JsonArray>(actual);
                Assert.True(ea.Count == aa.Count, $"{where}: expected {ea.ToJsonString()}, got {aa.ToJsonString()}");
                for (int k = 0; k < ea.Count; k++) AssertEqual(ea[k], aa[k], $"{where}[{k}]");
                return;
            case JsonObject eo:
                var ao = Assert.IsType<JsonObject>(actual);
                Assert.True(eo.Count == ao.Count, $"{where}: expected {eo.ToJsonString()}, got {ao.ToJsonString()}");
                foreach (var (k, ev) in eo)
                {
                    Assert.True(ao.ContainsKey(k), $"{where}: missing field '{k}' in {ao.ToJsonString()}");
                    AssertEqual(ev, ao[k], $"{where}.{k}");
                }
                return;
            default:
                var ev2 = expected.AsValue();
                if (ev2.GetValueKind() == JsonValueKind.Number)
                {
                    double x = ev2.GetValue<double>(), y = actual.AsValue().GetValue<double>();
                    Assert.True(x.Equals(y), $"{where}: expected {x:R}, got {y:R}");
                    return;
                }
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{where}: expected {expected.ToJsonString()}, got {actual.ToJsonString()}");
                return;
        }
    }
}
