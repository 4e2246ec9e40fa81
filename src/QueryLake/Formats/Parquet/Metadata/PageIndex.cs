using QueryLake.Formats.Parquet.Thrift;

namespace QueryLake.Formats.Parquet.Metadata;

/// <summary>A column chunk's page index: where each data page is and the rows it starts at (<c>OffsetIndex</c>), and
/// each page's bounds (<c>ColumnIndex</c>, when written).</summary>
internal sealed class PageIndex
{
    public List<(long Offset, int Size, long FirstRow)> Pages = [];
    public List<bool>? NullPages;
    public List<byte[]>? Mins;
    public List<byte[]>? Maxes;
    public List<long>? NullCounts;
    public int BoundaryOrder;

    public static List<(long Offset, int Size, long FirstRow)> ReadOffsetIndex(ReadOnlySpan<byte> bytes)
    {
        var r = new ThriftReader(bytes);
        var pages = new List<(long, int, long)>();
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            if (id != 1 || t != ThriftType.List) { r.Skip(t); continue; }
            int n = r.ReadListHeader(out _);
            for (int i = 0; i < n; i++)
            {
                r.EnterStruct();
                short l2 = 0;
                long offset = 0, first = 0;
                int size = 0;
                while (r.NextField(ref l2, out var t2, out var id2))
                {
                    switch (id2, t2)
                    {
                        case (1, ThriftType.I64): offset = r.ReadI64(); break;
                        case (2, ThriftType.I32): size = r.ReadI32(); break;
                        case (3, ThriftType.I64): first = r.ReadI64(); break;
                        default: r.Skip(t2); break;
                    }
                }
                r.ExitStruct();
                if (i > 0 && first <= pages[^1].Item3) throw new ParquetFormatException("the offset index's first_row_index values do not increase");
                pages.Add((offset, size, first));
            }
        }
        r.ExitStruct();
        return pages;
    }

    public void ReadColumnIndex(ReadOnlySpan<byte> bytes)
    {
        var r = new ThriftReader(bytes);
        r.EnterStruct();
        short last = 0;
        while (r.NextField(ref last, out var t, out var id))
        {
            switch (id, t)
            {
                case (1, ThriftType.List): { int n = r.ReadListHeader(out _); NullPages = new(n); for (int i = 0; i < n; i++) NullPages.Add(r.ReadBoolElement()); break; }
                case (2, ThriftType.List): { int n = r.ReadListHeader(out _); Mins = new(n); for (int i = 0; i < n; i++) Mins.Add(r.ReadBytes()); break; }
                case (3, ThriftType.List): { int n = r.ReadListHeader(out _); Maxes = new(n); for (int i = 0; i < n; i++) Maxes.Add(r.ReadBytes()); break; }
                case (4, ThriftType.I32): BoundaryOrder = r.ReadI32(); break;
                case (5, ThriftType.List): { int n = r.ReadListHeader(out _); NullCounts = new(n); for (int i = 0; i < n; i++) NullCounts.Add(r.ReadI64()); break; }
                default: r.Skip(t); break;
            }
        }
        r.ExitStruct();
        int pages = Pages.Count;
        if (NullPages?.Count != pages || Mins?.Count != pages || Maxes?.Count != pages)
            (NullPages, Mins, Maxes) = (null, null, null); // inconsistent with the offset index: ignore it, read every page
    }

    public static void WriteOffsetIndex(ThriftWriter w, IReadOnlyList<(long Offset, int Size, long FirstRow)> pages)
    {
        w.BeginStruct();
        w.ListField(1, ThriftType.Struct, pages.Count);
        foreach (var (o, s, f) in pages)
        {
            w.BeginStruct();
            w.I64(1, o); w.I32(2, s); w.I64(3, f);
            w.EndStruct();
        }
        w.EndStruct();
    }

    public static void WriteColumnIndex(ThriftWriter w, IReadOnlyList<bool> nullPages, IReadOnlyList<byte[]> mins, IReadOnlyList<byte[]> maxes, IReadOnlyList<long> nullCounts)
    {
        w.BeginStruct();
        w.ListField(1, ThriftType.BoolTrue, nullPages.Count);
        foreach (var b in nullPages) w.BoolElement(b);
        w.ListField(2, ThriftType.Binary, mins.Count);
        foreach (var m in mins) w.RawBinary(m);
        w.ListField(3, ThriftType.Binary, maxes.Count);
        foreach (var m in maxes) w.RawBinary(m);
        w.I32(4, 0);
        w.ListField(5, ThriftType.I64, nullCounts.Count);
        foreach (var n in nullCounts) w.I64Element(n);
        w.EndStruct();
    }
}
