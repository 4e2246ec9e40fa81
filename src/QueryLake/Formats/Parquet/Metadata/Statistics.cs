using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>Column chunk or page statistics (parquet.thrift <c>Statistics</c>); min and max are PLAIN-encoded values.</summary>
internal sealed class Statistics
{
    public byte[]? Max;
    public byte[]? Min;
    public long? NullCount;
    public long? DistinctCount;
    public byte[]? MaxValue;
    public byte[]? MinValue;

    /// <summary>The bounds to trust: the typed min_value/max_value, else the legacy signed ones.</summary>
    public (byte[]? Min, byte[]? Max) Bounds(bool legacyUsable) =>
        MinValue is not null || MaxValue is not null ? (MinValue, MaxValue) : legacyUsable ? (Min, Max) : (null, null);

    public static Statistics Read(ref ThriftReader r)
    {
        var s = new Statistics();
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.Binary): s.Max = r.ReadBytes(); break;
                case (2, ThriftType.Binary): s.Min = r.ReadBytes(); break;
                case (3, ThriftType.I64): s.NullCount = r.ReadI64(); break;
                case (4, ThriftType.I64): s.DistinctCount = r.ReadI64(); break;
                case (5, ThriftType.Binary): s.MaxValue = r.ReadBytes(); break;
                case (6, ThriftType.Binary): s.MinValue = r.ReadBytes(); break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
        return s;
    }

    public void Write(ThriftWriter w, short fieldId)
    {
        w.StructField(fieldId);
        if (NullCount is { } n) w.I64(3, n);
        if (MaxValue is not null) w.Binary(5, MaxValue);
        if (MinValue is not null) w.Binary(6, MinValue);
        w.EndStruct();
    }
}
