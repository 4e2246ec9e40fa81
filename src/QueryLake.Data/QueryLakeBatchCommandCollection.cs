using System.Collections;
using System.Data.Common;

namespace QueryLake.Data;

/// <summary>The commands of a batch, in order.</summary>
public sealed class QueryLakeBatchCommandCollection : DbBatchCommandCollection
{
    private readonly List<QueryLakeBatchCommand> _items = [];

    internal IReadOnlyList<QueryLakeBatchCommand> Items => _items;

    /// <inheritdoc />
    public override int Count => _items.Count;

    /// <inheritdoc />
    public override bool IsReadOnly => false;

    /// <inheritdoc />
    public override void Add(DbBatchCommand item) => _items.Add(Cast(item));

    /// <inheritdoc />
    public override void Clear() => _items.Clear();

    /// <inheritdoc />
    public override bool Contains(DbBatchCommand item) => _items.Contains(item);

    /// <inheritdoc />
    public override void CopyTo(DbBatchCommand[] array, int arrayIndex)
    {
        for (int i = 0; i < _items.Count; i++) array[arrayIndex + i] = _items[i];
    }

    /// <inheritdoc />
    public override IEnumerator<DbBatchCommand> GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public override int IndexOf(DbBatchCommand item) => item is QueryLakeBatchCommand c ? _items.IndexOf(c) : -1;

    /// <inheritdoc />
    public override void Insert(int index, DbBatchCommand item) => _items.Insert(index, Cast(item));

    /// <inheritdoc />
    public override bool Remove(DbBatchCommand item) => item is QueryLakeBatchCommand c && _items.Remove(c);

    /// <inheritdoc />
    public override void RemoveAt(int index) => _items.RemoveAt(index);

    /// <inheritdoc />
    protected override DbBatchCommand GetBatchCommand(int index) => _items[index];

    /// <inheritdoc />
    protected override void SetBatchCommand(int index, DbBatchCommand batchCommand) => _items[index] = Cast(batchCommand);

    private static QueryLakeBatchCommand Cast(DbBatchCommand c) => c as QueryLakeBatchCommand
        ?? throw new ArgumentException($"a QueryLake batch takes QueryLakeBatchCommand objects, not {c?.GetType().Name ?? "null"}");
}
