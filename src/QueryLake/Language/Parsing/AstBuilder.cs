using System.Globalization;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using QueryLake.Language.Ast;
using QueryLake.Language.Parsing.Generated;
using P = QueryLake.Language.Parsing.Generated.QueryLakeParser;

namespace QueryLake.Language.Parsing;

/// <summary>Turns the ANTLR parse tree into the AST.</summary>
internal sealed class AstBuilder : QueryLakeBaseVisitor<object?>
{
    private int _positional;

    private static SourceSpan At(ParserRuleContext c) => new(c.Start.Line, c.Start.Column + 1);
    private static SourceSpan At(IToken t) => new(t.Line, t.Column + 1);

    private Expr E(P.ExpressionContext c) => (Expr)Visit(c)!;
    private Expr? EOpt(P.ExpressionContext? c) => c is null ? null : E(c);
    private Query Q(P.QueryContext c) => (Query)Visit(c)!;

    public static string Ident(P.IdentifierContext c)
    {
        if (c.QUOTED_IDENTIFIER() is { } q) return q.GetText()[1..^1].Replace("\"\"", "\"");
        return c.GetText().ToLowerInvariant();
    }

    private static IReadOnlyList<string> Idents(P.IdentifierListContext? c) => c?.identifier().Select(Ident).ToList() ?? [];

    /// <summary>A string token's text: '…' with '' for a quote, or $tag$…$tag$ verbatim (the lexer ends it at its own tag).</summary>
    private static string Unquote(IToken t)
    {
        var text = t.Text;
        if (text[0] != '$') return text[1..^1].Replace("''", "'");
        int open = text.IndexOf('$', 1) + 1;
        return text[open..^open];
    }

    // ---- statements ----
    public override object VisitExplain(P.ExplainContext c) => new ExplainStatement(At(c), (Statement)Visit(c.statement())!, c.ANALYZE() is not null);
    public override object VisitQueryStatement(P.QueryStatementContext c) => new QueryStatement(At(c), Q(c.query()));

    public override object VisitCreateDataset(P.CreateDatasetContext c) =>
        new CreateDatasetStatement(At(c), Ident(c.name), c.IF() is not null, c.columnDefinition().Select(Column).ToList(),
            c.query() is { } q ? Q(q) : null) { OrReplace = c.REPLACE() is not null };

    /// <summary>A column definition. NOT NULL is enforced; PRIMARY KEY and UNIQUE would need an index QueryLake does not
    /// keep, so they are refused rather than silently ignored.</summary>
    private ColumnDef Column(P.ColumnDefinitionContext d)
    {
        bool notNull = false;
        foreach (var k in d.columnConstraint())
            switch (k)
            {
                case P.NotNullConstraintContext: notNull = true; break;
                case P.NullableConstraintContext: notNull = false; break;
                default:
                    throw new SqlException("QL-UNSUPPORTED", k.Start.Line, k.Start.Column + 1,
                        $"{(k is P.PrimaryKeyConstraintContext ? "PRIMARY KEY" : "UNIQUE")} on column {Ident(d.identifier())} is not supported: QueryLake does not enforce " +
                        "uniqueness; remove the constraint (and check duplicates with GROUP BY … HAVING count(*) > 1)");
            }
        return new ColumnDef(Ident(d.identifier()), Type(d.dataType()), notNull);
    }

    public override object VisitDropDataset(P.DropDatasetContext c) => new DropDatasetStatement(At(c), Ident(c.name), c.IF() is not null);
    public override object VisitInsert(P.InsertContext c) => new InsertStatement(At(c), Ident(c.name), Idents(c.identifierList()), Q(c.query()));

    public override object VisitUpdate(P.UpdateContext c) =>
        new UpdateStatement(At(c), Ident(c.name), Assignments(c.assignment()), EOpt(c.where),
            c.from is null ? null : (Relation)Visit(c.from)!);

    public override object VisitDelete(P.DeleteContext c) => new DeleteStatement(At(c), Ident(c.name), EOpt(c.where));

    public override object VisitAddColumn(P.AddColumnContext c) =>
        new AddColumnStatement(At(c), Ident(c.name), Ident(c.column), c.dataType() is { } t ? Type(t) : null, c.expression() is { } e ? E(e) : null,
            c.expression() is { } text ? Text(text) : null);

    public override object VisitShowColumns(P.ShowColumnsContext c) => new ShowColumnsStatement(At(c), Ident(c.name));

    /// <summary>A count of versions or days (<c>RETAIN n</c>, <c>OLDER THAN n</c>): a whole number from 1, or null when absent.</summary>
    private static int? Count(IToken? token, string clause) => token is null ? null
        : int.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n
        : throw new SqlException("QL-BAD-ARGUMENT", token.Line, token.Column + 1, $"{clause} takes a whole number from 1 up to {int.MaxValue}, not {token.Text}");

    public override object VisitSetTier(P.SetTierContext c)
    {
        int? age = Count(c.age, "OLDER THAN");
        bool days = c.unit?.Type is P.DAYS or P.DAY;
        return new SetTierStatement(At(c), Ident(c.name), c.tier.Type == P.COLD, EOpt(c.where), c.location is null ? null : Unquote(c.location),
            age is { } v && !days ? v : null, age is { } d && days ? d : null);
    }

    public override object VisitShowFragments(P.ShowFragmentsContext c) => new ShowFragmentsStatement(At(c), Ident(c.name));

    public override object VisitShowDatasets(P.ShowDatasetsContext c) => new ShowDatasetsStatement(At(c));
    public override object VisitShowVersions(P.ShowVersionsContext c) => new ShowVersionsStatement(At(c), Ident(c.name));

    public override object VisitVacuum(P.VacuumContext c)
    {
        int? amount = Count(c.amount, "RETAIN");
        bool days = c.unit?.Type is P.DAYS or P.DAY;
        return new VacuumStatement(At(c), c.name is null ? null : Ident(c.name), amount is { } a && !days ? a : null, amount is { } d && days ? d : null);
    }

    public override object VisitCompact(P.CompactContext c) => new CompactStatement(At(c), Ident(c.name),
        c.rows is null ? null : long.TryParse(c.rows.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n >= 1 ? n
            : throw new SqlException("QL-BAD-ARGUMENT", c.rows.Line, c.rows.Column + 1, $"TARGET ROWS takes a positive whole number, not {c.rows.Text}"));

    public override object VisitBeginTransaction(P.BeginTransactionContext c) => new TransactionStatement(At(c), TransactionAction.Begin);

    public override object VisitCommitTransaction(P.CommitTransactionContext c) => new TransactionStatement(At(c), TransactionAction.Commit);

    public override object VisitRollbackTransaction(P.RollbackTransactionContext c) => new TransactionStatement(At(c), TransactionAction.Rollback);

    public override object VisitCheckDataset(P.CheckDatasetContext c) => new CheckDatasetStatement(At(c), Ident(c.name),
        c.version is null ? null : long.TryParse(c.version.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= 1 ? v
            : throw new SqlException("QL-VERSION-NOT-FOUND", c.version.Line, c.version.Column + 1, $"version {c.version.Text} is out of range: versions are numbered from 1 up to 2^63 - 1"));
    public override object VisitDescribe(P.DescribeContext c) => new DescribeStatement(At(c), c.name is null ? null : Ident(c.name), c.query() is { } q ? Q(q) : null);

    public override object VisitImportPredictions(P.ImportPredictionsContext c) =>
        new ImportPredictionsStatement(At(c), Unquote(c.source), Ident(c.name), Unquote(c.run), c.key is null ? "id" : Ident(c.key));

    public override object VisitCreateView(P.CreateViewContext c) =>
        new CreateViewStatement(At(c), Ident(c.name), c.FOLLOW() is not null, Q(c.query()), Text(c.query()));

    public override object VisitDropView(P.DropViewContext c) => new DropViewStatement(At(c), Ident(c.name), c.EXISTS() is not null);

    public override object VisitShowViews(P.ShowViewsContext c) => new ShowViewsStatement(At(c));

    public override object VisitShowLineage(P.ShowLineageContext c) => c.target is not null
        ? new ShowLineageStatement(At(c), Unquote(c.target), null, IsExport: true)
        : new ShowLineageStatement(At(c), Ident(c.name), c.column is null ? null : Ident(c.column), IsExport: false);

    public override object VisitShowExports(P.ShowExportsContext c) => new ShowExportsStatement(At(c));

    public override object VisitSetSetting(P.SetSettingContext c) => new SetStatement(At(c), Ident(c.name), E(c.value));

    public override object VisitResetSetting(P.ResetSettingContext c) => new ResetStatement(At(c), c.name is null ? null : Ident(c.name));

    public override object VisitShowSettings(P.ShowSettingsContext c) => new ShowSettingsStatement(At(c));

    public override object VisitCreateSplit(P.CreateSplitContext c) =>
        new CreateSplitStatement(At(c), Ident(c.name), Q(c.query()), Text(c.query()),
            c.splitPart().Select(p => (Ident(p.identifier()), double.Parse(p.amount.Text, CultureInfo.InvariantCulture))).ToList(),
            EOpt(c.stratum), c.stratum is null ? null : Text(c.stratum), EOpt(c.key), c.key is null ? null : Text(c.key),
            Seed(c.seed) ?? 0);

    public override object VisitMerge(P.MergeContext c)
    {
        var clauses = c.mergeClause();
        if (clauses.OfType<P.MergeUpdateContext>().Count() + clauses.OfType<P.MergeDeleteContext>().Count() > 1 || clauses.OfType<P.MergeInsertContext>().Count() > 1)
            throw new SqlException("QL-BAD-ARGUMENT", c.Start.Line, c.Start.Column + 1, "MERGE takes at most one WHEN MATCHED and one WHEN NOT MATCHED clause");
        var update = clauses.OfType<P.MergeUpdateContext>().FirstOrDefault();
        var insert = clauses.OfType<P.MergeInsertContext>().FirstOrDefault();
        return new MergeStatement(At(c), Ident(c.name), (Relation)Visit(c.source)!, E(c.on),
            update is null ? null : Assignments(update.assignment()), clauses.OfType<P.MergeDeleteContext>().Any(),
            insert is null ? null : Idents(insert.identifierList()), insert?.expression().Select(E).ToList());
    }

    public override object VisitRefreshSplit(P.RefreshSplitContext c) => new RefreshSplitStatement(At(c), Ident(c.name));

    public override object VisitDropSplit(P.DropSplitContext c) => new DropSplitStatement(At(c), Ident(c.name), c.EXISTS() is not null);

    public override object VisitShowSplits(P.ShowSplitsContext c) => new ShowSplitsStatement(At(c));

    /// <summary>COPY and IMPORT options by name; SHUFFLE [SEED s] becomes "shuffle" with the seed (or no value).</summary>
    private Dictionary<string, Expr?> Options(P.CopyOptionContext[] options)
    {
        var result = new Dictionary<string, Expr?>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in options)
        {
            var (name, value) = o switch
            {
                P.ShuffleOptionContext s => ("shuffle", s.seed is null ? null : (Expr)new LiteralExpr(At(s), Seed(s.seed))),
                P.NamedOptionContext n => (Ident(n.identifier()), EOpt(n.expression())),
                _ => throw new InvalidOperationException(),
            };
            if (!result.TryAdd(name, value))
                throw new SqlException("QL-BAD-ARGUMENT", o.Start.Line, o.Start.Column + 1, $"option {name.ToUpperInvariant()} is given twice");
        }
        return result;
    }

    /// <summary>The source text of a rule (kept so definitions can be re-run and shown).</summary>
    private static string Text(Antlr4.Runtime.ParserRuleContext r) =>
        r.Start.InputStream.GetText(new Antlr4.Runtime.Misc.Interval(r.Start.StartIndex, r.Stop.StopIndex));

    public override object VisitImportData(P.ImportDataContext c) =>
        new ImportStatement(At(c), Ident(c.format), Unquote(c.source), Ident(c.name),
            Options(c.copyOption()));

    public override object VisitCopy(P.CopyContext c) =>
        new CopyStatement(At(c), Q(c.query()), Text(c.query()), Unquote(c.target),
            Options(c.copyOption()));

    // ---- queries ----
    public override object VisitQuery(P.QueryContext c)
    {
        var with = c.with()?.commonTableExpression().Select(t => new Cte(Ident(t.name), Idents(t.identifierList()), Q(t.query()))).ToList() ?? [];
        var body = (QueryBody)Visit(c.queryExpression())!;
        var order = c.orderBy()?.sortItem().Select(Sort).ToList() ?? [];
        var limit = c.limitClause();
        return new Query(At(c), with, body, order, EOpt(limit?.limit), EOpt(limit?.offset));
    }

    private SortItem Sort(P.SortItemContext s) =>
        new(E(s.expression()), s.ordering?.Type == P.DESC, s.nullOrdering is null ? null : s.nullOrdering.Type == P.FIRST);

    public override object VisitPrimaryQuery(P.PrimaryQueryContext c) => Visit(c.queryPrimary())!;

    public override object VisitSetOperation(P.SetOperationContext c) =>
        new SetOperationBody(At(c), c.op.Text.ToUpperInvariant(), c.quantifier?.ALL() is not null,
            (QueryBody)Visit(c.left)!, (QueryBody)Visit(c.right)!);

    public override object VisitParenthesizedQuery(P.ParenthesizedQueryContext c) => new NestedQueryBody(At(c), Q(c.query()));

    public override object VisitValuesQuery(P.ValuesQueryContext c) =>
        new ValuesBody(At(c), c.rowValue().Select(r => (IReadOnlyList<Expr>)r.expression().Select(E).ToList()).ToList());

    public override object VisitSelectQuery(P.SelectQueryContext c)
    {
        var s = c.select();
        var items = s.selectItem().Select(i => i switch
        {
            P.SelectExpressionContext e => new SelectItem(E(e.expression()), e.alias is null ? null : Ident(e.alias)),
            P.SelectAllContext a => new SelectItem(new StarExpr(At(a), a.qualifier is null ? null : Ident(a.qualifier), Idents(a.identifierList())), null),
            _ => throw new InvalidOperationException(),
        }).ToList();
        var from = s.relation().Select(r => (Relation)Visit(r)!).ToList();
        var group = s.groupBy();
        var windows = s.windowDefinition().ToDictionary(w => Ident(w.identifier()), w => Window(w.windowSpecification()));
        var (keys, sets) = group is null ? ([], null) : Grouping(group.groupingElement());
        return new SelectBody(At(c), s.setQuantifier()?.DISTINCT() is not null, items, from, EOpt(s.where),
            keys, group?.ALL() is not null, EOpt(s.having), windows, EOpt(s.qualify)) { GroupingSets = sets };
    }

    /// <summary>GROUP BY elements as the distinct key expressions and, when any element is ROLLUP, CUBE or GROUPING SETS,
    /// the sets of keys to group by: the cross product of each element's sets (a plain key is the one set {key}),
    /// duplicates kept, as SQL defines it.</summary>
    private (List<Expr> Keys, List<IReadOnlyList<int>>? Sets) Grouping(P.GroupingElementContext[] elements)
    {
        var keys = new List<Expr>();
        int Key(P.ExpressionContext e)
        {
            var expr = E(e);
            var text = Binding.ExprNames.Print(expr);
            int k = keys.FindIndex(x => Binding.ExprNames.Print(x) == text);
            if (k >= 0) return k;
            keys.Add(expr);
            return keys.Count - 1;
        }
        List<List<int>> product = [[]];
        bool sets = false;
        foreach (var element in elements)
        {
            List<List<int>> mine;
            switch (element)
            {
                case P.RollupContext r:
                {
                    var ks = r.expression().Select(Key).ToList();
                    mine = Enumerable.Range(0, ks.Count + 1).Select(n => ks.Take(ks.Count - n).ToList()).ToList();
                    sets = true;
                    break;
                }
                case P.CubeContext cu:
                {
                    var ks = cu.expression().Select(Key).ToList();
                    if (ks.Count > 12) throw new SqlException("QL-BAD-ARGUMENT", cu.Start.Line, cu.Start.Column + 1, $"CUBE of {ks.Count} keys would make {1L << ks.Count} groupings; at most 12 keys");
                    mine = Enumerable.Range(0, 1 << ks.Count).Select(m => ks.Where((_, i) => (m & (1 << (ks.Count - 1 - i))) == 0).ToList()).ToList();
                    sets = true;
                    break;
                }
                case P.GroupingSetsContext g:
                    mine = g.groupingSet().Select(x => x.expression().Select(Key).ToList()).ToList();
                    sets = true;
                    break;
                default:
                    mine = [[Key(((P.GroupingExpressionContext)element).expression())]];
                    break;
            }
            product = product.SelectMany(p => mine.Select(m => p.Concat(m).Distinct().ToList())).ToList();
            if (product.Count > 4096) throw new SqlException("QL-BAD-ARGUMENT", element.Start.Line, element.Start.Column + 1, "GROUP BY makes more than 4,096 grouping sets");
        }
        return (keys, sets ? product.Select(p => (IReadOnlyList<int>)p.Order().ToList()).ToList() : null);
    }

    // ---- relations ----
    public override object VisitPrimaryRelation(P.PrimaryRelationContext c) => Visit(c.relationPrimary())!;

    public override object VisitCrossJoin(P.CrossJoinContext c) =>
        new JoinRelation(At(c), "CROSS", (Relation)Visit(c.left)!, (Relation)Visit(c.right)!, null, [], false);

    public override object VisitJoin(P.JoinContext c) =>
        new JoinRelation(At(c), JoinKind(c.joinType()), (Relation)Visit(c.left)!, (Relation)Visit(c.right)!, EOpt(c.on), Idents(c.identifierList()), false);

    public override object VisitNaturalJoin(P.NaturalJoinContext c) =>
        new JoinRelation(At(c), JoinKind(c.joinType()), (Relation)Visit(c.left)!, (Relation)Visit(c.right)!, null, [], true);

    private static string JoinKind(P.JoinTypeContext t) =>
        t.LEFT() is not null ? "LEFT" : t.RIGHT() is not null ? "RIGHT" : t.FULL() is not null ? "FULL"
        : t.SEMI_JOIN() is not null ? "SEMI" : t.ANTI() is not null ? "ANTI" : "INNER";

    private static (string?, IReadOnlyList<string>) Alias(P.TableAliasContext? a) =>
        a is null ? (null, []) : (Ident(a.identifier()), Idents(a.identifierList()));

    public override object VisitDatasetRelation(P.DatasetRelationContext c)
    {
        var (alias, cols) = Alias(c.tableAlias());
        return new DatasetRelation(At(c), Ident(c.name), Version(c.versionClause()), Sample(c.sampleClause()), alias, cols, c.part is null ? null : Ident(c.part));
    }

    public override object VisitFileRelation(P.FileRelationContext c) =>
        new FileRelation(At(c), Unquote(c.path), Sample(c.sampleClause()), Alias(c.tableAlias()).Item1);

    public override object VisitTableFunction(P.TableFunctionContext c)
    {
        var (alias, columns) = Alias(c.tableAlias());
        return Sampled(new TableFunctionRelation(At(c), Ident(c.function), c.expression().Select(E).ToList(),
            c.namedArgument().ToDictionary(n => Ident(n.identifier()), n => E(n.expression()), StringComparer.OrdinalIgnoreCase), alias) { ColumnAliases = columns }, c.sampleClause());
    }

    private Relation Sampled(Relation r, P.SampleClauseContext? sample) => Sample(sample) is { } s ? new SampledRelation(r.At, r, s) : r;

    public override object VisitSubqueryRelation(P.SubqueryRelationContext c)
    {
        var (alias, cols) = Alias(c.tableAlias());
        return new SubqueryRelation(At(c), Q(c.query()), Sample(c.sampleClause()), alias, cols);
    }

    public override object VisitParenthesizedRelation(P.ParenthesizedRelationContext c) => Sampled((Relation)Visit(c.relation())!, c.sampleClause());

    private static VersionSpec? Version(P.VersionClauseContext? v) => v switch
    {
        null => null,
        P.VersionNumberContext n => new VersionSpec(long.TryParse(n.INTEGER_VALUE().GetText(), NumberStyles.None, CultureInfo.InvariantCulture, out long version) ? version
            : throw new SqlException("QL-VERSION-NOT-FOUND", n.Start.Line, n.Start.Column + 1, $"version {n.INTEGER_VALUE().GetText()} is out of range: versions are numbered from 1 up to 2^63 - 1"), null, null, null),
        P.VersionAsOfContext a => new VersionSpec(null, Unquote(a.STRING().Symbol), null, null),
        P.VersionBranchContext b => new VersionSpec(null, null, Ident(b.identifier()), null),
        P.VersionTagContext t => new VersionSpec(null, null, null, Ident(t.identifier())),
        _ => throw new InvalidOperationException(),
    };

    private SampleSpec? Sample(P.SampleClauseContext? s) => s switch
    {
        null => null,
        P.TableSampleContext t => new SampleSpec(At(t), t.method.Text.ToUpperInvariant(), E(t.expression()), Seed(t.seed)),
        P.SampleRowsContext r => new SampleSpec(At(r), "ROWS", E(r.count), Seed(r.seed), EOpt(r.per), EOpt(r.weight), r.REPLACEMENT() is not null),
        P.SamplePercentContext p => new SampleSpec(At(p), "PERCENT", E(p.percent), Seed(p.seed), EOpt(p.stratum)),
        _ => throw new InvalidOperationException(),
    };

    private static long? Seed(Antlr4.Runtime.IToken? t) =>
        t is null ? null : long.TryParse(t.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v
            : throw new SqlException("QL-BAD-ARGUMENT", t.Line, t.Column + 1, $"seed {t.Text} does not fit in 64 bits");

    private WindowSpec Window(P.WindowSpecificationContext w)
    {
        WindowFrame? frame = null;
        if (w.windowFrame() is { } f)
        {
            var start = Bound(f.start);
            var end = f.end is null ? new FrameBound(FrameBoundKind.CurrentRow, null) : Bound(f.end);
            frame = new WindowFrame(f.unit.Type == P.ROWS, start, end);
        }
        return new WindowSpec(w.@base is null ? null : Ident(w.@base), w.expression().Select(E).ToList(),
            w.orderBy()?.sortItem().Select(Sort).ToList() ?? [], frame);
    }

    private FrameBound Bound(P.FrameBoundContext b)
    {
        if (b.CURRENT() is not null) return new FrameBound(FrameBoundKind.CurrentRow, null);
        bool preceding = b.boundType.Type == P.PRECEDING;
        if (b.UNBOUNDED() is not null) return new FrameBound(preceding ? FrameBoundKind.UnboundedPreceding : FrameBoundKind.UnboundedFollowing, null);
        return new FrameBound(preceding ? FrameBoundKind.Preceding : FrameBoundKind.Following, E(b.expression()));
    }

    // ---- expressions ----
    public override object? VisitPrimary(P.PrimaryContext c) => Visit(c.primaryExpression());
    public override object VisitUnary(P.UnaryContext c) => new UnaryExpr(At(c), c.op.Text, V(c.operand));
    public override object VisitNot(P.NotContext c) => new UnaryExpr(At(c), "NOT", E(c.operand));
    public override object VisitLambda(P.LambdaContext c) => new LambdaExpr(At(c), Ident(c.param), E(c.body));
    public override object VisitArithmetic(P.ArithmeticContext c) => new BinaryExpr(At(c.op), c.op.Text, V(c.left), V(c.right));
    public override object VisitAnd(P.AndContext c) => new BinaryExpr(At(c), "AND", E(c.left), E(c.right));
    public override object VisitOr(P.OrContext c) => new BinaryExpr(At(c), "OR", E(c.left), E(c.right));
    public override object VisitPostfixCast(P.PostfixCastContext c) => new CastExpr(At(c), V(c.value), Type(c.dataType()), false);

    private Expr V(P.ValueExpressionContext c) => (Expr)Visit(c)!;

    /// <summary>A value with an optional predicate applied to it.</summary>
    public override object VisitPredicated(P.PredicatedContext c)
    {
        var value = V(c.valueExpression());
        var at = At(c);
        return c.predicate() switch
        {
            null => value,
            P.ComparisonContext p => new BinaryExpr(At(p), p.comparisonOperator().GetText() switch { "==" => "=", "!=" => "<>", var o => o }, value, V(p.right)),
            P.IsNullContext p => new IsNullExpr(at, value, p.NOT() is not null),
            P.IsDistinctFromContext p => new BinaryExpr(at, p.NOT() is null ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM", value, V(p.right)),
            // x IS TRUE is x IS NOT DISTINCT FROM TRUE: never NULL, so x IS NOT TRUE holds for false and NULL.
            P.IsTruthContext p => new BinaryExpr(at, p.NOT() is null ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM", value, new LiteralExpr(At(p), p.truth.Type == P.TRUE)),
            P.BetweenContext p => new BetweenExpr(at, value, V(p.lower), V(p.upper), p.NOT() is not null),
            P.InSubqueryContext p => new InSubqueryExpr(at, value, Q(p.query()), p.NOT() is not null),
            P.InListContext p => new InListExpr(at, value, p.expression().Select(E).ToList(), p.NOT() is not null),
            P.EmptyInListContext p => (Expr)VisitEmptyInList(p),
            P.LikeContext p => new LikeExpr(at, value, V(p.pattern), p.escape is null ? null : V(p.escape), p.op.Type == P.ILIKE, p.NOT() is not null),
            _ => throw new InvalidOperationException("unknown predicate"),
        };
    }

    public override object VisitFieldAccess(P.FieldAccessContext c)
    {
        var value = V(c.value);
        var field = Ident(c.field);
        // a.b.c parses as field accesses over a column: fold it back into a qualified column name.
        return value is ColumnExpr col ? new ColumnExpr(col.At, [.. col.Parts, field]) : new FieldAccessExpr(At(c), value, field);
    }

    public override object VisitSubscript(P.SubscriptContext c) =>
        new SubscriptExpr(At(c), V(c.value), c.sliceOrIndex().Select(s => s switch
        {
            P.IndexContext i => new SliceOrIndex(E(i.expression()), null, null, null, false),
            P.SliceContext sl => new SliceOrIndex(null, EOpt(sl.from), EOpt(sl.to), EOpt(sl.step), true),
            P.SteppedSliceContext st => new SliceOrIndex(null, EOpt(st.from), null, EOpt(st.step), true),
            _ => throw new InvalidOperationException(),
        }).ToList());

    public override object VisitNullLiteral(P.NullLiteralContext c) => new LiteralExpr(At(c), null);
    public override object VisitBooleanLiteral(P.BooleanLiteralContext c) => new LiteralExpr(At(c), c.TRUE() is not null);

    public override object VisitIntegerLiteral(P.IntegerLiteralContext c)
    {
        var text = c.GetText();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v)) return new LiteralExpr(At(c), v);
        if (decimal.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var d)) return new LiteralExpr(At(c), (double)d, Text: text);
        return new LiteralExpr(At(c), double.Parse(text, CultureInfo.InvariantCulture), Text: text);
    }

    public override object VisitDecimalLiteral(P.DecimalLiteralContext c) =>
        new LiteralExpr(At(c), double.Parse(c.GetText(), NumberStyles.Float, CultureInfo.InvariantCulture), Text: c.GetText());

    public override object VisitStringLiteral(P.StringLiteralContext c) => new LiteralExpr(At(c), Unquote(c.STRING().Symbol));
    public override object VisitTypedLiteral(P.TypedLiteralContext c) =>
        new CastExpr(At(c), new LiteralExpr(At(c.STRING().Symbol), Unquote(c.STRING().Symbol)), Type(c.dataType()), false);
    public override object VisitIntervalLiteral(P.IntervalLiteralContext c) =>
        new IntervalExpr(At(c), c.value.Type == P.STRING ? Unquote(c.value) : c.value.Text, c.intervalUnit is null ? null : Ident(c.intervalUnit));

    public override object VisitBlobLiteral(P.BlobLiteralContext c)
    {
        var hex = c.BLOB_STRING().GetText()[2..^1].Replace(" ", "", StringComparison.Ordinal);
        if (hex.Length % 2 != 0) throw new SqlException("QL-BAD-LITERAL", c.Start.Line, c.Start.Column + 1, $"blob literal x'{hex}' has an odd number of hex digits");
        return new LiteralExpr(At(c), Convert.FromHexString(hex));
    }

    /// <summary>substring(s FROM a [FOR n]), position(needle IN s) and trim([BOTH|LEADING|TRAILING] [chars] FROM s):
    /// the standard spellings of substr, strpos and trim/ltrim/rtrim.</summary>
    public override object VisitSubstringFrom(P.SubstringFromContext c) =>
        Call(c, "substr", c.length is null ? [E(c.value), E(c.start)] : [E(c.value), E(c.start), E(c.length)]);

    public override object VisitPositionIn(P.PositionInContext c) => Call(c, "strpos", [V(c.haystack), V(c.needle)]);

    public override object VisitTrimFrom(P.TrimFromContext c) =>
        Call(c, c.side?.Type switch { P.LEADING => "ltrim", P.TRAILING => "rtrim", _ => "trim" },
            c.characters is null ? [E(c.value)] : [E(c.value), E(c.characters)]);

    private FunctionExpr Call(Antlr4.Runtime.ParserRuleContext c, string name, IReadOnlyList<Expr> args) => new(At(c), name, args, false, false, null, null, []);

    public override object VisitNamedParameter(P.NamedParameterContext c) => new ParameterExpr(At(c), Ident(c.identifier()), -1);
    public override object VisitPositionalParameter(P.PositionalParameterContext c) => new ParameterExpr(At(c), null, _positional++);
    public override object? VisitParameterReference(P.ParameterReferenceContext c) => Visit(c.parameter());

    public override object VisitSimpleOrSearchedCase(P.SimpleOrSearchedCaseContext c) =>
        new CaseExpr(At(c), EOpt(c.operand), c.whenClause().Select(w => (E(w.condition), E(w.result))).ToList(), EOpt(c.elseValue));

    public override object VisitCast(P.CastContext c) => new CastExpr(At(c), E(c.expression()), Type(c.dataType()), c.castKind.Type == P.TRY_CAST);
    public override object VisitExtract(P.ExtractContext c) => new ExtractExpr(At(c), Ident(c.field), E(c.expression()));
    public override object VisitExists(P.ExistsContext c) => new ExistsExpr(At(c), Q(c.query()));
    public override object VisitScalarSubquery(P.ScalarSubqueryContext c) => new SubqueryExpr(At(c), Q(c.query()));
    public override object VisitListLiteral(P.ListLiteralContext c) => new ListExpr(At(c), c.expression().Select(E).ToList());

    public override object VisitEmptyInList(P.EmptyInListContext c) =>
        throw new SqlException("QL-BAD-ARGUMENT", c.Start.Line, c.Start.Column + 1,
            $"{(c.NOT() is null ? "IN" : "NOT IN")} () needs at least one value (an empty list matches nothing: write {(c.NOT() is null ? "false" : "true")})");

    public override object VisitStructLiteral(P.StructLiteralContext c) =>
        new StructExpr(At(c), c.structEntry().Select(e => e.key is not null ? Unquote(e.key) : Ident(e.name)).ToList(), c.structEntry().Select(e => E(e.value)).ToList());

    /// <summary>f(name := value, …): only struct_pack takes named arguments.</summary>
    public override object VisitNamedArgumentCall(P.NamedArgumentCallContext c) =>
        Ident(c.function).Equals("struct_pack", StringComparison.OrdinalIgnoreCase)
            ? new StructExpr(At(c), c.callArgument().Select(a => Ident(a.identifier())).ToList(), c.callArgument().Select(a => E(a.expression())).ToList())
            : throw new SqlException("QL-BAD-ARGUMENT", c.Start.Line, c.Start.Column + 1, $"{Ident(c.function)}() takes no named arguments (name := value); only struct_pack does");
    public override object VisitRowConstructor(P.RowConstructorContext c) =>
        new FunctionExpr(At(c), "row", c.expression().Select(E).ToList(), false, false, null, null, []);
    public override object? VisitParenthesized(P.ParenthesizedContext c) => Visit(c.expression());
    public override object VisitColumnReference(P.ColumnReferenceContext c) => new ColumnExpr(At(c), [Ident(c.identifier())]);

    public override object VisitFunctionCall(P.FunctionCallContext c)
    {
        var args = c.expression().Where(e => e != c.filter).Select(E).ToList();
        WindowSpec? over = null;
        if (c.over() is { } o)
            over = o.windowSpecification() is { } spec ? Window(spec) : new WindowSpec(Ident(o.identifier()), [], [], null);
        return new FunctionExpr(At(c), Ident(c.function), args, c.setQuantifier()?.DISTINCT() is not null, c.STAR() is not null,
            EOpt(c.filter), over, c.sortItem().Select(Sort).ToList());
    }

    /// <summary>SET col = value, …: each column at most once (SQL leaves two assignments to one column undefined).</summary>
    private List<(string, Expr)> Assignments(P.AssignmentContext[] assignments)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in assignments)
            if (!seen.Add(Ident(a.identifier())))
                throw new SqlException("QL-DUPLICATE-COLUMN", a.Start.Line, a.Start.Column + 1, $"column {Ident(a.identifier())} is assigned more than once");
        return assignments.Select(a => (Ident(a.identifier()), E(a.expression()))).ToList();
    }

    private static TypeName Type(P.DataTypeContext t) =>
        new(At(t), Ident(t.@base).ToUpperInvariant(),
            t.LPAREN() is null ? [] : t.INTEGER_VALUE().Where(i => i.Symbol.TokenIndex < t.RPAREN().Symbol.TokenIndex)
                .Select(i => TypeParameter(i.Symbol)).ToList(),
            t.dataType().Select(Type).ToList(),
            t.LBRACKET().Select(lb =>
            {
                var next = t.INTEGER_VALUE().FirstOrDefault(i => i.Symbol.TokenIndex == lb.Symbol.TokenIndex + 1);
                return next is null ? (int?)null : TypeParameter(next.Symbol);
            }).ToList());

    private static int TypeParameter(Antlr4.Runtime.IToken t) =>
        int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
            : throw new SqlException("QL-UNKNOWN-TYPE", t.Line, t.Column + 1, $"type parameter {t.Text} is out of range");
}
