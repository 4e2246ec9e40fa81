namespace QueryLake.Storage.Stores;

/// <summary>An object of a store: its key (relative to the store's root), size and last write time.</summary>
internal sealed record ObjectInfo(string Key, long Size, DateTime LastModifiedUtc);
