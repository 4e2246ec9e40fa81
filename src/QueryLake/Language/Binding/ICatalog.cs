using QueryLake.Language.Ast;
using QueryLake.Planning.Logical;

namespace QueryLake.Language.Binding;

/// <summary>What the binder needs from the session: relations by name or path, and running subqueries.</summary>
internal interface ICatalog
{
    ITableSource Dataset(DatasetRelation relation);
    ITableSource File(string path, SourceSpan at);
    ITableSource TableFunction(TableFunctionRelation relation, IReadOnlyList<object?> args);

    /// <summary>The latest version of a dataset a statement changes, as a scan source whose last column, <c>_rowid</c>,
    /// holds each row's id.</summary>
    ITableSource WriteTarget(Storage.Dataset dataset, string name);

    /// <summary>Executes an uncorrelated subquery's plan and returns its rows.</summary>
    IReadOnlyList<object?[]> Execute(LogicalPlan plan);
}
