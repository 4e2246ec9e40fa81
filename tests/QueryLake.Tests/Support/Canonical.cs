using System.Text.Json.Nodes;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Tests.Support;

/// <summary>Renders batches in the same canonical JSON as tests/oracles/arrow-dump.mjs.</summary>
public static class Canonical
{
    public static JsonObject Render(Schema schema, IEnumerable<RecordBatch> batches)
    {
        var fields = new JsonArray();
        foreach (var f in schema.Fields)
        {
            var meta = new SortedDictionary<string, string>(f.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
            if (f.DataType is ExtensionType e)
            {
                meta["ARROW:extension:name"] = e.ExtensionName;
                meta["ARROW:extension:metadata"] = e.ExtensionMetadata;
            }
            var m = new JsonObject();
            foreach (var (k, v) in meta) m[k] = v;
            fields.Add(new JsonObject { ["name"] = f.Name, ["type"] = f.DataType.StorageType.ToString(), ["nullable"] = f.Nullable, ["metadata"] = m });
        }
        var rows = new JsonArray();
        int n = 0;
        foreach (var b in batches)
        {
            for (int r = 0; r < b.Length; r++)
            {
                var row = new JsonArray();
                foreach (var c in b.Columns) row.Add(Value(c, r));
                rows.Add(row);
            }
            n += b.Length;
        }
        var smeta = new JsonObject();
        foreach (var (k, v) in schema.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) smeta[k] = v;
        return new JsonObject { ["metadata"] = smeta, ["fields"] = fields, ["numRows"] = n, ["rows"] = rows };
    }

    public static JsonNode? Value(ArrowArray a, int i)
    {
        if (a.IsNull(i)) return null;
        switch (a)
        {
            case BooleanArray b: return b.GetBoolean(i);
            case PrimitiveArray<float> f: return Hex(f[i]);
            case PrimitiveArray<double> d: return Hex(d[i]);
            case PrimitiveArray<long> l: return l[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            case PrimitiveArray<int> x: return x[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            case BinaryArray s:
                return ((VariableBinaryType)s.Type.StorageType).IsUtf8 ? s.GetString(i) : "b:" + Convert.ToBase64String(s.GetBytes(i));
            case FixedSizeBinaryArray fb: return "b:" + Convert.ToBase64String(fb.GetBytes(i));
            case ListArray l:
            {
                var arr = new JsonArray();
                var slice = l.GetSlice(i);
                for (int j = 0; j < slice.Length; j++) arr.Add(Value(slice, j));
                return arr;
            }
            case FixedSizeListArray f:
            {
                var arr = new JsonArray();
                var slice = f.GetSlice(i);
                for (int j = 0; j < slice.Length; j++) arr.Add(Value(slice, j));
                return arr;
            }
            case StructArray s:
            {
                var o = new JsonObject();
                for (int j = 0; j < s.StructType.Fields.Count; j++) o[s.StructType.Fields[j].Name] = Value(s.Field(j), i);
                return o;
            }
            case DictionaryArray d: return Value(d.Dictionary, checked((int)d.GetIndex(i)));
            default:
                return Convert.ToString(a.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static string Hex(double v) => "f:" + ((ulong)BitConverter.DoubleToInt64Bits(v)).ToString("x");
}
