namespace QueryLake.Tests.Support;

/// <summary>Values as text for comparing QueryLake's rows with DuckDB.NET's.</summary>
internal static class DuckValueText
{
    /// <summary>Numbers without trailing zeros (DuckDB.NET hands DECIMALs over normalized), big ones as their digits.</summary>
    public static string Of(object? v) => v switch
    {
        null or DBNull => "NULL",
        decimal m => m.ToString("G29", System.Globalization.CultureInfo.InvariantCulture),
        System.Numerics.BigInteger b => b.ToString(System.Globalization.CultureInfo.InvariantCulture),
        System.Data.SqlTypes.SqlDecimal d => d.ToString().Contains('.') ? d.ToString().TrimEnd('0').TrimEnd('.') : d.ToString(),
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
