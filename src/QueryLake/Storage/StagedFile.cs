using QueryLake.Storage.Manifests;

namespace QueryLake.Storage;

/// <summary>A data file of a <see cref="StagedAppend"/>: its record, its rows per batch and its rows.</summary>
internal sealed record StagedFile(DataFileRecord File, List<int> BatchRows, long Rows);
