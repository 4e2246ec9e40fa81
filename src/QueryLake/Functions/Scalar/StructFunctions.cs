using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;

namespace QueryLake.Functions.Scalar;

/// <summary>
/// Structs: <c>struct_extract(s, 'f')</c> (also written <c>s.f</c>, <c>t.s.f</c> and <c>s['f']</c>) reads one field,
/// and <c>{'k': v, …}</c> (also <c>struct_pack(k := v, …)</c>) builds a struct. The result type of a field access
/// depends on the field's name, so the binder builds these calls itself (<see cref="Field"/>, <see cref="Pack"/>);
/// the registry entries document them.
/// </summary>
internal static class StructFunctions
{
    private static readonly ScalarFunction Extract = new("struct_extract", "struct_extract(s, 'field')",
        "The named field of a struct (s.field and s['field'] are the same); NULL where s is NULL.", "SELECT struct_extract({'a': 1, 'b': 'x'}, 'b') → x", _ => null);

    private static readonly ScalarFunction PackFunction = new("struct_pack", "struct_pack(name := value, …)",
        "A struct of the named values ({'name': value, …} is the same).", "SELECT struct_extract(struct_pack(k := 7), 'k') → 7", _ => null);

    public static void Register(FunctionRegistry r)
    {
        r.Add(Extract);
        r.Add(PackFunction);
    }

    /// <summary>Field <paramref name="name"/> (case-insensitive) of a struct-valued expression, or null when the
    /// expression is not a struct or has no such field.</summary>
    public static BoundExpr? Field(BoundExpr value, string name)
    {
        if (value.Type.StorageType is not StructType st) return null;
        int index = -1;
        for (int i = 0; i < st.Fields.Count; i++)
            if (string.Equals(st.Fields[i].Name, name, StringComparison.OrdinalIgnoreCase)) { index = i; break; }
        if (index < 0) return null;
        var field = st.Fields[index];
        // The name rides along as a constant argument, so two accesses print (and match) differently.
        return new Call(Extract, [value, new Literal(field.Name, DataType.Utf8)], (a, n) =>
        {
            var s = (StructArray)Vectors.Plain(a[0]);
            var child = s.Field(index);
            if (s.NullCount == 0) return child;
            // A NULL struct has NULL fields, whatever its child slots hold.
            var b = Columnar.Builders.ArrayBuilder.Create(field.DataType);
            for (int i = 0; i < n; i++)
                if (s.IsNull(i)) b.AppendNull(); else b.AppendFrom(child, i);
            return b.Build();
        }, field.DataType);
    }

    /// <summary>The names of a struct's fields for an error message.</summary>
    public static string FieldNames(DataType t) => t.StorageType is StructType st ? string.Join(", ", st.Fields.Select(f => f.Name)) : "";

    /// <summary>A struct of <paramref name="values"/> named <paramref name="names"/>.</summary>
    public static BoundExpr Pack(IReadOnlyList<string> names, IReadOnlyList<BoundExpr> values)
    {
        var type = DataType.Struct(names.Zip(values, (n, v) => new Field(n, v.Type)).ToArray());
        var args = new List<BoundExpr>();
        for (int i = 0; i < names.Count; i++) { args.Add(new Literal(names[i], DataType.Utf8)); args.Add(values[i]); }
        return new Call(PackFunction, args, (a, n) =>
        {
            var children = new ArrayData[names.Count];
            for (int i = 0; i < children.Length; i++) children[i] = Vectors.Plain(a[2 * i + 1]).Data;
            return ArrowArray.FromData(new ArrayData(type, n, 0, 0, [ArrowBuffer.Empty], children));
        }, type);
    }
}
