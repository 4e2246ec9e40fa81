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
        var inferrer = new Inferrer();
        foreach (var v in values)
        {
            inferrer.Add(v);
            if (inferrer.Settled) break;
        }
        return inferrer.Type;
    }

    /// <summary>Infers one column's type from its values as they come (<see cref="Infer"/>, value by value).</summary>
    public sealed class Inferrer
    {
        private bool _isBool = true, _isLong = true, _isDouble = true, _isDate = true, _isTimestamp = true, _any;

        /// <summary>True once only VARCHAR fits: later values cannot change the type.</summary>
        public bool Settled => _any && !(_isBool || _isLong || _isDouble || _isDate || _isTimestamp);

        public void Add(string? v)
        {
            if (v is null || Settled) return;
            _any = true;
            var s = v.Trim();
            if (_isBool) _isBool = s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("false", StringComparison.OrdinalIgnoreCase);
            if (_isLong) _isLong = long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
            if (_isDouble) _isDouble = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            if (_isDate) _isDate = DateOnly.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
            if (_isTimestamp) _isTimestamp = DateTime.TryParseExact(s, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _);
        }

        /// <summary>The narrowest type the values so far fit.</summary>
        public DataType Type => !_any ? DataType.Utf8
            : _isBool ? DataType.Boolean : _isLong ? DataType.Int64 : _isDouble ? DataType.Float64 : _isDate ? DataType.Date32 : _isTimestamp ? DataType.Timestamp() : DataType.Utf8;
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
