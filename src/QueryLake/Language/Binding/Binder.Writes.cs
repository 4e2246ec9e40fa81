using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Language.Ast;
using QueryLake.Language.Parsing;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Language.Binding;

/// <summary>Statements that change the lake, bound into plans whose top is a <see cref="WriteNode"/>: the rows to write
/// come from the same scans, joins and projections as a query's, derived columns are computed by the plan (their
/// expressions bound once per statement), and the write operator commits once.</summary>
internal sealed partial class Binder
{
    /// <summary>The field metadata key that marks a derived column and holds its expression.</summary>
    public const string DerivedKey = "querylake.derived";

    /// <summary>INSERT INTO name [(columns)] query: the query's rows cast to the named columns' types, in the dataset's
    /// columns (missing nullable ones NULL, derived ones computed from the row).</summary>
    public InsertNode BindInsert(InsertStatement i, Dataset ds) => BindInsert(BindQuery(i.Query).Plan, i.Columns, ds, i.Name, i.At);

    /// <summary>An INSERT of <paramref name="plan"/>'s rows into the named columns (none: the dataset's columns that are
    /// not derived, in order).</summary>
    public InsertNode BindInsert(LogicalPlan plan, IReadOnlyList<string> named, Dataset ds, string name, SourceSpan at)
    {
        var target = ds.Schema;
        if (target.Fields.Count == 0)
        {
            // A dataset created without columns takes those of its first insert (named as in its column list), in the
            // same commit as the rows.
            if (named.Count > 0 && named.Count != plan.Schema.Fields.Count)
                throw Error(at, "QL-INSERT-WIDTH", $"INSERT names {named.Count} columns but the query returns {plan.Schema.Fields.Count}");
            var defined = new Schema(plan.Schema.Fields.Select((f, k) => new Field(named.Count > 0 ? named[k] : f.Name, f.DataType is NullType ? DataType.Int32 : f.DataType)).ToList());
            var casts = plan.Schema.Fields.Select((f, k) => CastTo(new ColumnRef(k, f.Name, f.DataType), defined.Fields[k].DataType)).ToList();
            return new InsertNode(new ProjectNode(plan, casts, defined.Fields.Select(f => f.Name).ToList()), ds, name) { Define = defined };
        }
        var row = InsertRow(ds, name, at, named, plan.Schema.Fields.Select((f, k) => (BoundExpr)new ColumnRef(k, f.Name, f.DataType)).ToList(), n => $"the query returns {n}");
        return new InsertNode(new ProjectNode(plan, row, target.Fields.Select(f => f.Name).ToList()), ds, name);
    }

    /// <summary>CREATE [OR REPLACE] DATASET name AS query.</summary>
    public CreateAsNode BindCreateAs(CreateDatasetStatement c, Lake lake, bool replace) => new(BindQuery(c.As!).Plan, lake, c.Name, replace);

    /// <summary>DELETE FROM name [WHERE …]: the ids of the rows the WHERE keeps (subqueries in it decorrelated like a
    /// query's).</summary>
    public DeleteNode BindDelete(DeleteStatement d, Dataset ds)
    {
        var (scan, scope) = Target(ds, d.Name);
        LogicalPlan plan = scan;
        if (d.Where is not null) plan = new FilterNode(plan, Predicate(d.Where, scope));
        int rowId = scope.Columns.Count - 1;
        return new DeleteNode(new ProjectNode(plan, [new ColumnRef(rowId, RowId.ColumnName, DataType.Int64)], [RowId.ColumnName]), ds, d.Name);
    }

    /// <summary>UPDATE name SET col = expr, … [FROM source] [WHERE …]: the ids of the rows to change with their new
    /// values, and the derived columns recomputed from them. With FROM, the dataset is joined with the source on the WHERE
    /// (a hash join on its equalities); a row matched by two source rows fails when written.</summary>
    public UpdateNode BindUpdate(UpdateStatement u, Dataset ds)
    {
        var (scan, scope) = Target(ds, u.Name);
        LogicalPlan plan = scan;
        if (u.From is not null)
        {
            if (u.Where is null) throw Error(u.At, "QL-BAD-ARGUMENT", "UPDATE … FROM needs a WHERE that matches dataset rows to source rows");
            var (source, sourceScope) = BindSource(u.From);
            scope = scope.Concat(sourceScope);
            plan = new JoinNode(plan, source, JoinKind.Inner, Predicate(u.Where, scope));
        }
        else if (u.Where is not null) plan = new FilterNode(plan, Predicate(u.Where, scope));
        var schema = ds.Schema;
        var (row, columns) = AssignedRow(ds, u.Name, u.At, u.Set, scope, "UPDATE");
        int rowId = schema.Fields.Count;
        var exprs = columns.Select(k => row[k]).Prepend(new ColumnRef(rowId, RowId.ColumnName, DataType.Int64)).ToList();
        var names = columns.Select(k => schema.Fields[k].Name).Prepend(RowId.ColumnName).ToList();
        return new UpdateNode(new ProjectNode(plan, exprs, names), ds, u.Name, names.Skip(1).ToList());
    }

    /// <summary>MERGE INTO name USING source ON cond WHEN MATCHED THEN UPDATE SET … | DELETE [WHEN NOT MATCHED THEN INSERT
    /// [(columns)] VALUES (…)]: the dataset joined with the source on the condition (a right join when it inserts, so
    /// unmatched source rows come with a NULL row id), then per row the id, the new values and the new row.</summary>
    public MergeNode BindMerge(MergeStatement m, Dataset ds)
    {
        var (scan, scope) = Target(ds, m.Name);
        var (source, sourceScope) = BindSource(m.Source);
        var both = scope.Concat(sourceScope);
        bool inserts = m.InsertValues is not null;
        var plan = new JoinNode(scan, source, inserts ? JoinKind.Right : JoinKind.Inner, Predicate(m.On, both));
        var schema = ds.Schema;
        int rowId = schema.Fields.Count;
        var exprs = new List<BoundExpr> { new ColumnRef(rowId, RowId.ColumnName, DataType.Int64) };
        var names = new List<string> { RowId.ColumnName };
        var updateColumns = new List<string>();
        if (m.Update is not null)
        {
            var (row, changed) = AssignedRow(ds, m.Name, m.At, m.Update, both, "MERGE");
            foreach (int k in changed)
            {
                exprs.Add(row[k]);
                names.Add(schema.Fields[k].Name);
                updateColumns.Add(schema.Fields[k].Name);
            }
        }
        if (inserts)
        {
            exprs.AddRange(InsertRow(ds, m.Name, m.At, m.InsertColumns ?? [], m.InsertValues!.Select(v => Concrete(BindExpr(v, both))).ToList(), n => $"gives {n} values"));
            names.AddRange(schema.Fields.Select(f => "__insert_" + f.Name));
        }
        return new MergeNode(new ProjectNode(plan, exprs, names), ds, m.Name, updateColumns, m.Delete, inserts);
    }

    /// <summary>The dataset row an INSERT makes, one expression per dataset column: each named column (none named: the
    /// columns that are not derived, in order) takes its value cast to the column's type, the others are NULL, and
    /// derived columns are computed from the row. <paramref name="gives"/> words the width error
    /// ("the query returns 3").</summary>
    private BoundExpr[] InsertRow(Dataset ds, string name, SourceSpan at, IReadOnlyList<string> named, IReadOnlyList<BoundExpr> values, Func<int, string> gives)
    {
        var target = ds.Schema;
        var columns = named.Count > 0 ? named.ToList() : target.Fields.Where(f => !f.Metadata.ContainsKey(DerivedKey)).Select(f => f.Name).ToList();
        if (columns.Count != values.Count)
            throw Error(at, "QL-INSERT-WIDTH", $"INSERT names {columns.Count} columns but {gives(values.Count)}");
        var given = new Dictionary<int, BoundExpr>();
        for (int k = 0; k < columns.Count; k++)
        {
            int index = target.IndexOf(columns[k]);
            if (index < 0)
                throw Error(at, "QL-COLUMN-NOT-FOUND", $"dataset '{name}' has no column '{columns[k]}'" + Scope.Suggest(columns[k], target.Fields.Select(f => f.Name)));
            if (target.Fields[index].Metadata.ContainsKey(DerivedKey))
                throw Error(at, "QL-DERIVED-COLUMN", $"column '{target.Fields[index].Name}' is derived: it is computed, not inserted");
            if (!given.TryAdd(index, CastTo(values[k], target.Fields[index].DataType)))
                throw Error(at, "QL-BAD-ARGUMENT", $"INSERT names column '{columns[k]}' twice");
        }
        var row = target.Fields.Select((f, k) => given.GetValueOrDefault(k) ?? new Literal(null, f.DataType)).ToArray();
        WithDerived(ds, name, row, _ => true);
        return row;
    }

    /// <summary>SET col = expr, …: the dataset row (one expression per column) with the assigned columns' new values
    /// and the derived columns recomputed from them, and the columns that change (assigned, then derived).</summary>
    private (BoundExpr[] Row, List<int> Changed) AssignedRow(Dataset ds, string name, SourceSpan at, IReadOnlyList<(string Column, Expr Value)> sets, Scope scope, string statement)
    {
        var schema = ds.Schema;
        var row = schema.Fields.Select((f, k) => (BoundExpr)new ColumnRef(k, f.Name, f.DataType)).ToArray();
        var assigned = new List<int>();
        foreach (var (column, value) in sets)
        {
            int k = schema.IndexOf(column);
            if (k < 0) throw Error(at, "QL-COLUMN-NOT-FOUND", $"dataset '{name}' has no column '{column}'" + Scope.Suggest(column, schema.Fields.Select(f => f.Name)));
            if (schema.Fields[k].Metadata.ContainsKey(DerivedKey))
                throw Error(at, "QL-DERIVED-COLUMN", $"column '{schema.Fields[k].Name}' is derived: it is computed from {schema.Fields[k].Metadata[DerivedKey]}, not set; update the columns it is computed from");
            if (assigned.Contains(k)) throw Error(at, "QL-BAD-ARGUMENT", $"{statement} sets column '{schema.Fields[k].Name}' twice");
            row[k] = CastTo(Concrete(BindExpr(value, scope)), schema.Fields[k].DataType);
            assigned.Add(k);
        }
        return (row, assigned.Concat(WithDerived(ds, name, row, k => !assigned.Contains(k))).ToList());
    }

    /// <summary>A scan of the dataset's latest version with its row ids (the last column, hidden from *), and its scope.</summary>
    private (ScanNode Scan, Scope Scope) Target(Dataset ds, string name)
    {
        var source = catalog.WriteTarget(ds, name);
        var scope = new Scope(source.Schema.Fields.Select(f => new ScopeColumn(name, f.Name, f.DataType, HiddenFromStar: f.Name == RowId.ColumnName)).ToList());
        return (new ScanNode(source, source.Schema.Fields.Select(f => f.Name).ToList()), scope);
    }

    private BoundExpr Predicate(Expr where, Scope scope)
    {
        var bound = BindExpr(where, scope);
        RequireBoolean(bound, where.At, "WHERE");
        return bound;
    }

    /// <summary>The derived columns of a dataset (in schema order), each its recorded expression bound over the
    /// dataset's columns and cast to the column's type.</summary>
    public List<(int Index, BoundExpr Expr)> DerivedColumns(Dataset ds, string name)
    {
        var schema = ds.Schema;
        var result = new List<(int, BoundExpr)>();
        var scope = new Scope(schema.Fields.Select(f => new ScopeColumn(name, f.Name, f.DataType)).ToList());
        for (int k = 0; k < schema.Fields.Count; k++)
        {
            if (!schema.Fields[k].Metadata.TryGetValue(DerivedKey, out var text)) continue;
            if (SqlParser.ParseScript($"SELECT {text}") is not [QueryStatement { Query.Body: SelectBody { Items: [var item] } }])
                throw new Errors.QueryLakeException("QL-CORRUPT-METADATA", $"the derived column '{schema.Fields[k].Name}' of '{name}' holds an expression that does not parse: {text}");
            result.Add((k, CastTo(Concrete(BindExpr(item.Expr, scope)), schema.Fields[k].DataType)));
        }
        return result;
    }

    /// <summary>Puts the dataset's derived columns into <paramref name="row"/> (one expression per dataset column, over
    /// the plan below): each is its expression with the row's expressions in place of the columns it reads, in schema
    /// order, so one derived column may read another. Only those <paramref name="recompute"/> accepts change. The
    /// indices of those put in.</summary>
    private List<int> WithDerived(Dataset ds, string name, BoundExpr[] row, Func<int, bool> recompute)
    {
        var changed = new List<int>();
        foreach (var (k, expr) in DerivedColumns(ds, name))
        {
            if (!recompute(k)) continue;
            var current = row.ToArray();
            row[k] = ExpressionRewriter.Rewrite(expr, e => e is ColumnRef c ? current[c.Index] : null);
            changed.Add(k);
        }
        return changed;
    }
}
