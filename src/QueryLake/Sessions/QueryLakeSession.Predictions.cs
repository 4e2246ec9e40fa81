using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    /// <summary>
    /// IMPORT PREDICTIONS 'file' INTO ds RUN 'name' [KEY col]: a model run's predictions go to the dataset
    /// <c>ds_predictions</c> (created on first use) with a <c>run</c> column naming the run, next to the data they
    /// predict: <c>SELECT run, label, prediction, count(*) FROM ds JOIN ds_predictions USING (id) GROUP BY ALL</c> is a
    /// confusion matrix per run. Importing a run again replaces its predictions (one version each step).
    /// </summary>
    private QueryResult ImportPredictions(ImportPredictionsStatement p, CancellationToken cancel)
    {
        var ds = Open(p.Name, p.At);
        if (ds.Schema.IndexOf(p.Key) < 0)
            throw new SqlException("QL-COLUMN-NOT-FOUND", p.At.Line, p.At.Column, $"dataset '{p.Name}' has no key column '{p.Key}'" + Scope.Suggest(p.Key, ds.Schema.Fields.Select(f => f.Name)));
        string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
        string Ident(string s) => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var source = $"SELECT {Quote(p.Run)} AS run, * FROM {Quote(p.Source)}";
        QueryResult probe;
        try { probe = Query(source + " LIMIT 0", cancel: cancel); }
        catch (SqlException e) { throw new SqlException(e.Code, p.At.Line, p.At.Column, $"predictions file: {e.Message}"); }
        if (probe.Schema.IndexOf(p.Key) < 0)
            throw new SqlException("QL-COLUMN-NOT-FOUND", p.At.Line, p.At.Column, $"the predictions file has no key column '{p.Key}'; its columns are {string.Join(", ", probe.Schema.Fields.Skip(1).Select(f => f.Name))}");
        string target = p.Name + "_predictions";
        if (Lake.DatasetExists(target)) Execute($"DELETE FROM {Ident(target)} WHERE run = {Quote(p.Run)}", cancel: cancel);
        else Execute($"CREATE DATASET {Ident(target)} AS {source} LIMIT 0", cancel: cancel);
        var columns = string.Join(", ", probe.Schema.Fields.Select(f => Ident(f.Name)));
        var inserted = Query($"INSERT INTO {Ident(target)} ({columns}) {source}", cancel: cancel).RowsAffected ?? 0;
        long unmatched = (long)Query($"SELECT count(*) FROM {Ident(target)} p WHERE p.run = {Quote(p.Run)} AND NOT EXISTS (SELECT 1 FROM {Ident(p.Name)} d WHERE d.{Ident(p.Key)} = p.{Ident(p.Key)})", cancel: cancel)
            .Rows().Single()[0]!;
        return Message(p, $"imported {inserted} predictions of run '{p.Run}' into {target}" + (unmatched > 0 ? $" ({unmatched} with a {p.Key} that is not in {p.Name})" : ""));
    }
}
