using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    /// <summary>
    /// MERGE INTO ds USING source ON cond WHEN MATCHED THEN UPDATE SET … (or DELETE) WHEN NOT MATCHED THEN INSERT ….
    /// The rows to insert are chosen first (source rows with no match in ds), the matched rows are then updated or
    /// deleted (as UPDATE … FROM), and the chosen rows appended. It runs inside a transaction, so a failure leaves the
    /// dataset as it was. Returns the rows inserted, updated and deleted.
    /// </summary>
    private QueryResult Merge(Binder binder, MergeStatement m, CancellationToken cancel)
    {
        Open(m.Name, m.At);
        var own = Transaction is null ? BeginTransaction() : null;
        string? staging = null;
        try
        {
            long inserted = 0, changed = 0;
            var target = new DatasetRelation(m.At, m.Name, null, null, null, []);
            if (m.InsertValues is not null)
            {
                // Source rows without a match, with the INSERT's values, staged before the matched rows change.
                var notMatched = new UnaryExpr(m.At, "NOT", new ExistsExpr(m.At, new Query(m.At, [],
                    new SelectBody(m.At, false, [new SelectItem(new LiteralExpr(m.At, 1L), null)], [target], m.On, [], false, null, new Dictionary<string, WindowSpec>()),
                    [], null, null)));
                var values = new Query(m.At, [], new SelectBody(m.At, false, m.InsertValues.Select((e, i) => new SelectItem(e, "__merge_" + i)).ToList(), [m.Source], notMatched, [], false, null,
                    new Dictionary<string, WindowSpec>()), [], null, null);
                staging = "__merge_" + Guid.NewGuid().ToString("N")[..12];
                CreateDataset(binder, new CreateDatasetStatement(m.At, staging, false, [], values), cancel, "merge");
            }
            if (m.Update is not null)
                changed += Update(NewBinder(new Dictionary<string, object?>(), [], cancel), new UpdateStatement(m.At, m.Name, m.Update, m.On, m.Source), cancel).RowsAffected ?? 0;
            if (m.Delete)
            {
                var matched = new ExistsExpr(m.At, new Query(m.At, [],
                    new SelectBody(m.At, false, [new SelectItem(new LiteralExpr(m.At, 1L), null)], [m.Source], m.On, [], false, null, new Dictionary<string, WindowSpec>()),
                    [], null, null));
                changed += Delete(NewBinder(new Dictionary<string, object?>(), [], cancel), new DeleteStatement(m.At, m.Name, matched), cancel).RowsAffected ?? 0;
            }
            if (staging is not null)
            {
                var ds = Lake.OpenDataset(m.Name);
                var columns = m.InsertColumns is { Count: > 0 } named ? named : ds.Schema.Fields.Select(f => f.Name).ToList();
                if (columns.Count != m.InsertValues!.Count)
                    throw new SqlException("QL-INSERT-WIDTH", m.At.Line, m.At.Column, $"INSERT names {columns.Count} columns but gives {m.InsertValues.Count} values");
                var all = new Query(m.At, [], new SelectBody(m.At, false, [new SelectItem(new StarExpr(m.At, null, []), null)],
                    [new DatasetRelation(m.At, staging, null, null, null, [])], null, [], false, null, new Dictionary<string, WindowSpec>()), [], null, null);
                inserted = Insert(NewBinder(new Dictionary<string, object?>(), [], cancel), new InsertStatement(m.At, m.Name, columns, all), cancel, "merge").RowsAffected ?? 0;
                Lake.DropDataset(staging);
                staging = null;
            }
            own?.Commit();
            return Count(m, inserted + changed);
        }
        catch
        {
            if (own is { IsActive: true }) own.Rollback();
            else if (staging is not null && Lake.DatasetExists(staging)) Lake.DropDataset(staging);
            throw;
        }
    }
}
