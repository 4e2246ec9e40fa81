namespace QueryLake.Splits;

/// <summary>A named, persisted split of a query's rows into parts (train/validation/test …): what was asked for, so
/// it can be shown, refreshed and re-created exactly.</summary>
/// <param name="Name">The split's name; parts are queried as <c>name.part</c>.</param>
/// <param name="Query">The query text whose rows are split.</param>
/// <param name="Parts">Part names and their percentages (summing to 100), in order.</param>
/// <param name="Stratum">The STRATIFY BY expression text, if any.</param>
/// <param name="Key">The GROUP BY expression text, if any: rows with the same key stay together.</param>
/// <param name="Seed">The seed of the assignment hash.</param>
/// <param name="Created">When the split was made.</param>
/// <param name="Refreshed">When new rows were last assigned.</param>
/// <param name="Reads">The dataset versions the last creation or refresh read (lineage).</param>
public sealed record SplitDefinition(string Name, string Query, IReadOnlyList<SplitPart> Parts, string? Stratum, string? Key, long Seed,
    DateTimeOffset Created, DateTimeOffset Refreshed, IReadOnlyList<Lineage.DatasetRead>? Reads = null);

/// <summary>One part of a split.</summary>
public sealed record SplitPart(string Name, double Percent);
