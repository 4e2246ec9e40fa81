using QueryLake.Columnar;
using QueryLake.Columnar.Types;

namespace QueryLake.Formats.Ipc;

/// <summary>Finds the dictionaries of a batch's dictionary-encoded arrays in depth-first field order,
/// matching the dictionary ids the schema codec assigns.</summary>
internal static class DictionaryCollector
{
    public static List<(DictionaryType Type, ArrayData? Values)> Collect(Schema schema, IReadOnlyList<ArrayData>? columns)
    {
        var result = new List<(DictionaryType, ArrayData?)>();
        for (int i = 0; i < schema.Fields.Count; i++) Visit(schema.Fields[i].DataType, columns?[i], result);
        return result;
    }

    private static void Visit(DataType type, ArrayData? data, List<(DictionaryType, ArrayData?)> result)
    {
        switch (type.StorageType)
        {
            case DictionaryType d: result.Add((d, data?.Dictionary)); break;
            case ListType l: Visit(l.ValueType, data?.Children[0], result); break;
            case FixedSizeListType f: Visit(f.ValueType, data?.Children[0], result); break;
            case StructType s:
                for (int i = 0; i < s.Fields.Count; i++) Visit(s.Fields[i].DataType, data?.Children[i], result);
                break;
        }
    }
}
