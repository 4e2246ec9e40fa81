using QueryLake.Columnar.Statistics;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>The table functions <c>range(stop)</c>, <c>range(start, stop[, step])</c> (stop excluded) and
/// <c>generate_series(…)</c> (stop included), as in DuckDB: one BIGINT column named after the function, generated
/// batch by batch, so a large range never sits in memory whole.</summary>
internal sealed class RangeSource : ITableSource
{
    private const int BatchRows = 1 << 16;
    private readonly long _start, _step, _count;

    public RangeSource(string function, long start, long stop, long step, bool inclusive)
    {
        if (step == 0) throw new ArgumentException($"{function}(): the step must not be 0");
        _start = start;
        _step = step;
        // Number of values start, start + step, … before (or up to) stop, without overflow.
        Int128 span = (Int128)stop - start;
        Int128 count = step > 0
            ? (span < 0 || (!inclusive && span == 0) ? 0 : (span - (inclusive ? 0 : 1)) / step + 1)
            : (span > 0 || (!inclusive && span == 0) ? 0 : (span + (inclusive ? 0 : 1)) / step + 1);
        if (count > int.MaxValue * 64L) throw new ArgumentException($"{function}() would produce {count} rows");
        _count = (long)count;
        Name = function;
        Schema = new Schema([new Field(function, DataType.Int64, nullable: false)]);
    }

    public string Name { get; }
    public Schema Schema { get; }
    public long? EstimatedRows => _count;
    public IReadOnlyList<FragmentInfo>? Fragments => null;

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel)
    {
        var outSchema = new Schema(columns.Select(_ => Schema.Fields[0]).ToList());
        for (long at = 0; at < _count; at += BatchRows)
        {
            cancel.ThrowIfCancellationRequested();
            int n = (int)Math.Min(BatchRows, _count - at);
            if (columns.Count == 0) { yield return new RecordBatch(outSchema, [], n); continue; }
            var values = new PrimitiveBuilder<long>(DataType.Int64);
            long v = _start + at * _step;
            for (int i = 0; i < n; i++, v += _step) values.Append(v);
            var array = values.Build();
            yield return new RecordBatch(outSchema, columns.Select(_ => array).ToList(), n);
        }
    }
}
