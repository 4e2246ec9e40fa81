namespace QueryLake.Storage;

/// <summary>
/// Row ids address a row without a scan: the fragment id in the high 32 bits, the row's physical offset
/// in the fragment in the low 32 bits. They are stable across appends, deletes and updates; compaction
/// moves rows into new fragments and so gives them new ids.
/// </summary>
public static class RowId
{
    /// <summary>The name of the row id column that scans can add.</summary>
    public const string ColumnName = "_rowid";

    /// <summary>Builds a row id.</summary>
    public static long Make(long fragmentId, long offset) => (fragmentId << 32) | (uint)offset;

    /// <summary>The fragment part.</summary>
    public static long Fragment(long rowId) => rowId >>> 32;

    /// <summary>The offset part.</summary>
    public static uint Offset(long rowId) => (uint)rowId;
}
