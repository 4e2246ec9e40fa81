using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>A row group (parquet.thrift <c>RowGroup</c>): one column chunk per leaf column.</summary>
internal sealed class RowGroup
{
    public List<ColumnChunk> Columns = [];
    public long TotalByteSize;
    public long NumRows;

    public static RowGroup Read(ref ThriftReader r)
    {
        var g = new RowGroup();
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.List): { int n = r.ReadListHeader(out _); for (int i = 0; i < n; i++) g.Columns.Add(ColumnChunk.Read(ref r)); break; }
                case (2, ThriftType.I64): g.TotalByteSize = r.ReadI64(); break;
                case (3, ThriftType.I64): g.NumRows = r.ReadI64(); break;
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
        return g;
    }

    public void Write(ThriftWriter w)
    {
        w.BeginStruct();
        w.ListField(1, ThriftType.Struct, Columns.Count);
        foreach (var c in Columns) c.Write(w);
        w.I64(2, TotalByteSize);
        w.I64(3, NumRows);
        w.EndStruct();
    }
}
