using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Execution.Physical;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Write;

/// <summary>Splits MERGE's joined rows into updates (matched rows' ids and new values), deletions (matched rows' ids)
/// and insertions (unmatched source rows' new rows), and applies them in one commit
/// (<see cref="Storage.Dataset.Merge"/>). The three are held until the commit, against the memory limit.</summary>
internal sealed class MergeOperator(MergeNode node, PhysicalOperator input) : WriteOperator(node, input)
{
    public override string Name => "Merge";
    public override string Detail => node.Label()["Merge: ".Length..] + ", one commit";

    protected override long Write(IEnumerable<RecordBatch> rows, QueryContext ctx)
    {
        int updateWidth = node.UpdateColumns.Count;
        var schema = node.Input.Schema;
        var updateSchema = new Schema(schema.Fields.Take(1 + updateWidth).ToList());
        var insertSchema = node.Target.Schema;
        var updates = new List<RecordBatch>();
        var deletes = new HashSet<long>();
        var inserts = new List<RecordBatch>();
        long updated = 0, inserted = 0;
        foreach (var b in rows)
        {
            ctx.Reserve(QueryContext.SizeOf(b), "MERGE's changes");
            var ids = (PrimitiveArray<long>)b.Columns[0];
            var matched = new List<int>();
            var unmatched = new List<int>();
            for (int r = 0; r < b.Length; r++) (ids.IsValid(r) ? matched : unmatched).Add(r);
            if (matched.Count > 0 && node.Delete)
                foreach (int r in matched) deletes.Add(ids[r]);
            else if (matched.Count > 0 && updateWidth > 0)
            {
                updates.Add(Gather.Rows(new RecordBatch(updateSchema, b.Columns.Take(1 + updateWidth).ToArray(), b.Length), matched.ToArray()));
                updated += matched.Count;
            }
            if (unmatched.Count > 0 && node.Inserts)
            {
                var columns = b.Columns.Skip(1 + updateWidth).ToArray();
                inserts.Add(Gather.Rows(new RecordBatch(insertSchema, columns, b.Length), unmatched.ToArray()));
                inserted += unmatched.Count;
            }
        }
        node.Target.Merge(node.UpdateColumns, updates, deletes, inserts);
        return updated + deletes.Count + inserted;
    }
}
