using System.Text;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;

namespace QueryLake.Functions.Scalar;

/// <summary>String functions. Positions are 1-based, as in SQL and DuckDB.</summary>
internal static class StringFunctions
{
    private static string Repeat(string s, long n)
    {
        if (n <= 0 || s.Length == 0) return "";
        if ((Int128)s.Length * n > 128 << 20)
            throw new Errors.QueryLakeException("QL-OUT-OF-RANGE", $"repeat(): {s.Length} characters × {n} is over the 256 MB limit for one value");
        return new StringBuilder(s.Length * (int)n).Insert(0, s, (int)n).ToString();
    }

    private static bool Text(DataType t) => TypeRules.Logical(t).Id is TypeId.Utf8 or TypeId.LargeUtf8 or TypeId.Null;

    public static void Register(FunctionRegistry r)
    {
        r.Add(Str1("lower", "Lower-cases a string.", "SELECT lower('Hail') → 'hail'", s => s.ToLowerInvariant()));
        r.Add(Str1("upper", "Upper-cases a string.", "SELECT upper('hail') → 'HAIL'", s => s.ToUpperInvariant()));
        r.Add(Trim("trim", "Removes leading and trailing spaces (or any of the characters given); trim(BOTH chars FROM s) is the same.", "SELECT trim('xxaxx', 'x') → 'a'", (s, c) => s.Trim(c)));
        r.Add(Trim("ltrim", "Removes leading spaces (or any of the characters given); trim(LEADING chars FROM s) is the same.", "SELECT ltrim('  a') → 'a'", (s, c) => s.TrimStart(c)));
        r.Add(Trim("rtrim", "Removes trailing spaces (or any of the characters given); trim(TRAILING chars FROM s) is the same.", "SELECT rtrim('a  ') → 'a'", (s, c) => s.TrimEnd(c)));
        r.Add(Str1("reverse", "Reverses a string.", "SELECT reverse('abc') → 'cba'", s => new string(s.EnumerateRunes().Reverse().SelectMany(x => x.ToString()).ToArray())));
        r.Add(new ScalarFunction("length", "length(s)", "Number of characters (Unicode code points).", "SELECT length('hail') → 4",
            t => t.Count == 1 && Text(t[0]) ? new Resolution(DataType.Int64, RowMapped.Kernel(DataType.Int64, a => (long)((string)a[0]!).EnumerateRunes().Count()), [DataType.Utf8]) : null));
        r.Add(new ScalarFunction("octet_length", "octet_length(blob)", "Number of bytes of a BLOB or IMAGE value (an image's encoded size).", "SELECT octet_length(CAST('hail' AS BLOB)) → 4",
            t => t.Count == 1 && (t[0].StorageType is VariableBinaryType { IsUtf8: false } || t[0] is NullType)
                ? new Resolution(DataType.Int64, RowMapped.Kernel(DataType.Int64, a => (long)((byte[])a[0]!).Length))
                : null));
        foreach (var name in new[] { "substr", "substring" })
        r.Add(new ScalarFunction(name, $"{name}(s, start [, length])", "The substring from 1-based start, of length characters (default: to the end); substring(s FROM start FOR length) is the same.", $"SELECT {name}('nightfall', 6) → 'fall'",
            t => t.Count is 2 or 3 && Text(t[0]) && t.Skip(1).All(x => x.IsInteger || x is NullType)
                ? new Resolution(DataType.Utf8, Substrings,
                    t.Count == 2 ? [DataType.Utf8, DataType.Int64] : [DataType.Utf8, DataType.Int64, DataType.Int64])
                : null));
        r.Add(new ScalarFunction("repeat", "repeat(s, n)", "s repeated n times (n ≤ 0 gives ''); a result over 256 MB is an error.", "SELECT repeat('ab', 3) → 'ababab'",
            t => t.Count == 2 && Text(t[0]) && (t[1].IsInteger || t[1] is NullType)
                ? new Resolution(DataType.Utf8, RowMapped.Kernel(DataType.Utf8, a => Repeat((string)a[0]!, (long)a[1]!)), [DataType.Utf8, DataType.Int64])
                : null));
        r.Add(new ScalarFunction("replace", "replace(s, from, to)", "Replaces every occurrence of from with to.", "SELECT replace('a-b', '-', '+') → 'a+b'",
            t => t.Count == 3 && t.All(Text) ? new Resolution(DataType.Utf8, RowMapped.Kernel(DataType.Utf8, a => ((string)a[1]!).Length == 0 ? a[0] : ((string)a[0]!).Replace((string)a[1]!, (string)a[2]!, StringComparison.Ordinal)), [DataType.Utf8, DataType.Utf8, DataType.Utf8]) : null));
        r.Add(new ScalarFunction("starts_with", "starts_with(s, prefix)", "True when s starts with prefix.", "SELECT starts_with('night', 'ni') → true",
            t => t.Count == 2 && t.All(Text) ? new Resolution(DataType.Boolean, RowMapped.Kernel(DataType.Boolean, a => ((string)a[0]!).StartsWith((string)a[1]!, StringComparison.Ordinal)), [DataType.Utf8, DataType.Utf8]) : null));
        r.Add(new ScalarFunction("strpos", "strpos(s, needle)", "1-based position of needle in s, 0 when absent.", "SELECT strpos('nightfall', 'fall') → 6",
            t => t.Count == 2 && t.All(Text) ? new Resolution(DataType.Int64, RowMapped.Kernel(DataType.Int64, a => (long)((string)a[0]!).IndexOf((string)a[1]!, StringComparison.Ordinal) + 1), [DataType.Utf8, DataType.Utf8]) : null));
        r.Add(new ScalarFunction("concat", "concat(a, b, …)", "Concatenates the string forms of its arguments, skipping NULLs.", "SELECT concat('a', NULL, 1) → 'a1'",
            t => t.Count >= 1 ? new Resolution(DataType.Utf8, Concat(nullIfAnyNull: false), t.Select(_ => (DataType)DataType.Utf8).ToList()) : null));
    }

    private static ScalarFunction Trim(string name, string desc, string example, Func<string, char[], string> f) =>
        new(name, $"{name}(s [, characters])", desc, example, t => t.Count is 1 or 2 && t.All(Text)
            ? new Resolution(DataType.Utf8, RowMapped.Kernel(DataType.Utf8, a => f((string)a[0]!, a.Length > 1 ? ((string)a[1]!).ToCharArray() : [' '])),
                t.Select(_ => (DataType)DataType.Utf8).ToList())
            : null);

    private static ScalarFunction Str1(string name, string desc, string example, Func<string, string> f) =>
        new(name, $"{name}(s)", desc, example, t => t.Count == 1 && Text(t[0])
            ? new Resolution(DataType.Utf8, RowMapped.Kernel(DataType.Utf8, a => f((string)a[0]!)), [DataType.Utf8]) : null);

    /// <summary>substr over UTF-8 bytes in place: an ASCII value is cut by byte offsets, any other by walking its code
    /// points; nothing is decoded to .NET strings.</summary>
    private static ArrowArray Substrings(IReadOnlyList<ArrowArray> args, int n)
    {
        var text = (BinaryArray)args[0];
        var start = (PrimitiveArray<long>)args[1];
        var length = args.Count > 2 ? (PrimitiveArray<long>)args[2] : null;
        var b = new BinaryBuilder(DataType.Utf8);
        for (int i = 0; i < n; i++)
        {
            if (text.IsNull(i) || start.IsNull(i) || (length is not null && length.IsNull(i))) { b.AppendNull(); continue; }
            var bytes = text.GetBytes(i);
            var (from, count) = Substr(bytes, start.Values[i], length?.Values[i]);
            b.Append(bytes.Slice(from, count));
        }
        return b.Build();
    }

    /// <summary>The byte range of substr(s, start, length) in the UTF-8 bytes of s, counted in code points as in
    /// DuckDB: start is 1-based, 0 counts as 1 with one character less, and a negative start counts from the end.</summary>
    internal static (int From, int Count) Substr(ReadOnlySpan<byte> s, long start, long? length)
    {
        bool ascii = Ascii.IsValid(s);
        long chars = ascii ? s.Length : Utf8CodePoints(s);
        long from = start > 0 ? start - 1 : start == 0 ? 0 : Math.Max(0, chars + start);
        long to = length is { } l ? (long)Int128.Clamp((Int128)from + l - (start == 0 ? 1 : 0), 0, chars) : chars;
        from = Math.Clamp(from, 0, chars);
        to = Math.Clamp(to, from, chars);
        if (ascii) return ((int)from, (int)(to - from));
        int a = Utf8Offset(s, from), z = Utf8Offset(s, to);
        return (a, z - a);
    }

    private static long Utf8CodePoints(ReadOnlySpan<byte> s)
    {
        long count = 0;
        foreach (byte c in s) if ((c & 0xC0) != 0x80) count++;
        return count;
    }

    /// <summary>The byte offset of code point <paramref name="index"/> (the length at the end).</summary>
    private static int Utf8Offset(ReadOnlySpan<byte> s, long index)
    {
        long seen = -1;
        for (int i = 0; i < s.Length; i++)
            if ((s[i] & 0xC0) != 0x80 && ++seen == index) return i;
        return s.Length;
    }

    public static ScalarKernel Concat(bool nullIfAnyNull) => (args, n) =>
    {
        var b = new BinaryBuilder(DataType.Utf8);
        var arrays = args.Select(a => (BinaryArray)a).ToArray();
        var buffer = new List<byte>();
        for (int i = 0; i < n; i++)
        {
            if (nullIfAnyNull && arrays.Any(a => a.IsNull(i))) { b.AppendNull(); continue; }
            buffer.Clear();
            foreach (var a in arrays) if (!a.IsNull(i)) buffer.AddRange(a.GetBytes(i));
            b.Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer));
        }
        return b.Build();
    };
}
