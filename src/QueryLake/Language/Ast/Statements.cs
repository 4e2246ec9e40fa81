namespace QueryLake.Language.Ast;

/// <summary>A statement as written. <see cref="Text"/> is its source text (for lineage and errors).</summary>
internal abstract record Statement(SourceSpan At)
{
    public string Text { get; init; } = "";
}

internal sealed record QueryStatement(SourceSpan At, Query Query) : Statement(At);

internal sealed record ExplainStatement(SourceSpan At, Statement Inner, bool Analyze) : Statement(At);

internal sealed record CreateDatasetStatement(SourceSpan At, string Name, bool IfNotExists, IReadOnlyList<ColumnDef> Columns, Query? As) : Statement(At)
{
    /// <summary>CREATE OR REPLACE: an existing dataset of that name is dropped first.</summary>
    public bool OrReplace { get; init; }
}

internal sealed record ColumnDef(string Name, TypeName Type, bool NotNull);

internal sealed record DropDatasetStatement(SourceSpan At, string Name, bool IfExists) : Statement(At);

internal sealed record InsertStatement(SourceSpan At, string Name, IReadOnlyList<string> Columns, Query Query) : Statement(At);

internal sealed record UpdateStatement(SourceSpan At, string Name, IReadOnlyList<(string Column, Expr Value)> Set, Expr? Where, Relation? From = null) : Statement(At);

internal sealed record DeleteStatement(SourceSpan At, string Name, Expr? Where) : Statement(At);

internal sealed record AddColumnStatement(SourceSpan At, string Name, string Column, TypeName? Type, Expr? Expression, string? ExpressionText = null) : Statement(At);

internal sealed record ShowColumnsStatement(SourceSpan At, string Name) : Statement(At);

internal sealed record ShowDatasetsStatement(SourceSpan At) : Statement(At);

internal sealed record ShowVersionsStatement(SourceSpan At, string Name) : Statement(At);

/// <summary>CHECK DATASET name [VERSION n]: verifies every file the version (default the latest) references.</summary>
internal sealed record CheckDatasetStatement(SourceSpan At, string Name, long? Version) : Statement(At);

internal sealed record DescribeStatement(SourceSpan At, string? Name, Query? Query) : Statement(At);

/// <summary>CREATE VIEW name [FOLLOW LATEST] AS query.</summary>
internal sealed record CreateViewStatement(SourceSpan At, string Name, bool FollowLatest, Query Query, string QueryText) : Statement(At);

internal sealed record DropViewStatement(SourceSpan At, string Name, bool IfExists) : Statement(At);

internal sealed record ShowViewsStatement(SourceSpan At) : Statement(At);

/// <summary>SHOW LINEAGE OF view | split | dataset.column | 'export target'.</summary>
internal sealed record ShowLineageStatement(SourceSpan At, string Name, string? Column, bool IsExport) : Statement(At);

internal sealed record ShowExportsStatement(SourceSpan At) : Statement(At);

/// <summary>SET [SESSION] name = value: a session setting (memory_limit, threads, statement_timeout, …).</summary>
internal sealed record SetStatement(SourceSpan At, string Name, Expr Value) : Statement(At);

/// <summary>RESET name | RESET ALL: back to the default.</summary>
internal sealed record ResetStatement(SourceSpan At, string? Name) : Statement(At);

internal sealed record ShowSettingsStatement(SourceSpan At) : Statement(At);

/// <summary>CREATE SPLIT name FROM (query) INTO part p PERCENT, … [STRATIFY BY expr] [GROUP BY expr] SEED s.</summary>
internal sealed record CreateSplitStatement(SourceSpan At, string Name, Query Query, string QueryText, IReadOnlyList<(string Part, double Percent)> Parts,
    Expr? Stratum, string? StratumText, Expr? Key, string? KeyText, long Seed) : Statement(At);

internal sealed record RefreshSplitStatement(SourceSpan At, string Name) : Statement(At);

/// <summary>MERGE INTO ds USING source ON cond WHEN MATCHED THEN UPDATE SET … | DELETE, WHEN NOT MATCHED THEN INSERT ….</summary>
internal sealed record MergeStatement(SourceSpan At, string Name, Relation Source, Expr On, IReadOnlyList<(string Column, Expr Value)>? Update, bool Delete,
    IReadOnlyList<string>? InsertColumns, IReadOnlyList<Expr>? InsertValues) : Statement(At);

internal sealed record DropSplitStatement(SourceSpan At, string Name, bool IfExists) : Statement(At);

internal sealed record ShowSplitsStatement(SourceSpan At) : Statement(At);

/// <summary>IMPORT PREDICTIONS 'file' INTO ds RUN 'name' [KEY col]: a model run's predictions, kept next to the data.</summary>
internal sealed record ImportPredictionsStatement(SourceSpan At, string Source, string Name, string Run, string Key) : Statement(At);

internal sealed record ImportStatement(SourceSpan At, string Format, string Source, string Name, IReadOnlyDictionary<string, Expr?> Options) : Statement(At);

internal sealed record CopyStatement(SourceSpan At, Query Query, string QueryText, string Target, IReadOnlyDictionary<string, Expr?> Options) : Statement(At);

/// <summary>What a transaction statement does.</summary>
internal enum TransactionAction { Begin, Commit, Rollback }

/// <summary>BEGIN [TRANSACTION], COMMIT, ROLLBACK (and START TRANSACTION, END, ABORT).</summary>
internal sealed record TransactionStatement(SourceSpan At, TransactionAction Action) : Statement(At);

/// <summary>VACUUM [[DATASET] name] [RETAIN n DAYS | n VERSIONS]: removes what no retained version needs.</summary>
internal sealed record VacuumStatement(SourceSpan At, string? Name, int? RetainVersions, int? RetainDays) : Statement(At);

/// <summary>COMPACT [DATASET] name [TARGET ROWS n]: merges small fragments into one new version.</summary>
internal sealed record CompactStatement(SourceSpan At, string Name, long? TargetRows) : Statement(At);

/// <summary>ALTER DATASET name SET TIER HOT|COLD [LOCATION 'uri'] [OLDER THAN n VERSIONS|DAYS] [WHERE cond]: moves the
/// fragments written more than n versions or days ago whose live rows all satisfy cond (all fragments without either)
/// to that tier, in one commit.</summary>
internal sealed record SetTierStatement(SourceSpan At, string Name, bool Cold, Expr? Where, string? Location = null,
    int? OlderThanVersions = null, int? OlderThanDays = null) : Statement(At);

/// <summary>SHOW FRAGMENTS [FROM] name: each fragment of the latest version with its tier, format, location, size and rows.</summary>
internal sealed record ShowFragmentsStatement(SourceSpan At, string Name) : Statement(At);
