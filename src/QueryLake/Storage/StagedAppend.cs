namespace QueryLake.Storage;

/// <summary>One writer's data files of an append, written but not committed (<see cref="Dataset.WriteStaged"/>), with
/// the schema's field ids they were written under; serializable as JSON, so a worker can hand them to the process that
/// commits.</summary>
internal sealed record StagedAppend(int[] FieldIds, List<StagedFile> Files);
