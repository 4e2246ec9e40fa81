namespace QueryLake.Columnar.Types;

/// <summary>INTERVAL: a span of calendar time kept as months, days and microseconds apart (a month is not a fixed
/// number of days), as in DuckDB and PostgreSQL. Stored as a struct of <c>months</c> (int32), <c>days</c> (int32)
/// and <c>micros</c> (int64); values read as <see cref="IntervalValue"/>.</summary>
public sealed class IntervalType : ExtensionType
{
    /// <summary>The extension name.</summary>
    public const string Name = "querylake.interval";

    internal static readonly StructType Storage = Struct(new Field("months", Int32, false), new Field("days", Int32, false), new Field("micros", Int64, false));

    /// <summary>The one INTERVAL type.</summary>
    public static IntervalType Instance { get; } = new();

    private IntervalType() { }

    /// <inheritdoc />
    public override string ExtensionName => Name;

    /// <inheritdoc />
    public override string ExtensionMetadata => "";

    /// <inheritdoc />
    public override DataType StorageType => Storage;

    internal static IntervalType? TryFromStorage(DataType storage) => storage.Equals(Storage) ? Instance : null;

    /// <inheritdoc />
    public override string ToString() => "interval";
}
