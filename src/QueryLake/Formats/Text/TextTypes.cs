using System.Globalization;
using QueryLake.Columnar.Types;

namespace QueryLake.Formats.Text;

/// <summary>Type inference and conversion for values read from text (CSV fields, JSON strings).</summary>
internal static class TextTypes
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd"];
    private static readonly string[] TimestampFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy/MM/dd HH:mm"];

    /// <summary>The narrowest type every non-null value fits: BOOLEAN, BIGINT, DOUBLE, DATE, TIMESTAMP, else VARCHAR.</summary>
    public static DataType Infer(IEnumerable<string?> values)
    {
        bool isBool = true, isLong = true, isDouble = true, isDate = true, isTimestamp = true, any = false;
        foreach (var v in values)
        {
            if (v is null) continue;
            any = true;
            var s = v.Trim();
            isBool &= s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("false", StringComparison.OrdinalIgnoreCase);
            isLong &= long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
            isDouble &= double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            isDate &= DateOnly.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
            isTimestamp &= DateTime.TryParseExact(s, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _);
            if (!(isBool || isLong || isDouble || isDate || isTimestamp)) return DataType.Utf8;
        }
        if (!any) return DataType.Utf8;
        return isBool ? DataType.Boolean : isLong ? DataType.Int64 : isDouble ? DataType.Float64 : isDate ? DataType.Date32 : isTimestamp ? DataType.Timestamp() : DataType.Utf8;
    }

    public static object? Convert(string? v, DataType type)
    {
        if (v is null) return null;
        var s = v.Trim();
        return type.Id switch
        {
            TypeId.Boolean => bool.Parse(s),
            TypeId.Int64 => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            TypeId.Float64 => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
            TypeId.Date32 => DateOnly.ParseExact(s, DateFormats, CultureInfo.InvariantCulture),
            TypeId.Timestamp => DateTime.SpecifyKind(DateTime.ParseExact(s, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
            _ => v,
        };
    }
}
