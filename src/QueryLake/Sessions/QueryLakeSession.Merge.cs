using QueryLake.Language.Ast;
using QueryLake.Language.Binding;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    /// <summary>
    /// MERGE INTO ds USING source ON cond WHEN MATCHED THEN UPDATE SET … (or DELETE) WHEN NOT MATCHED THEN INSERT ….
    /// One plan (the dataset joined with the source) and one commit: the rows to insert, update and delete are all
    /// chosen from the same version, so a failure leaves the dataset as it was. Returns the rows inserted, updated and
    /// deleted.
    /// </summary>
    private QueryResult Merge(Binder binder, MergeStatement m, CancellationToken cancel) =>
        RunWrite(m, binder.BindMerge(m, Open(m.Name, m.At)), cancel, "merge");
}
