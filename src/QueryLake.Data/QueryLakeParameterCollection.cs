using System.Collections;
using System.Data.Common;

namespace QueryLake.Data;

/// <summary>A command's parameters, in order (the order gives the positional <c>?</c> parameters).</summary>
public sealed class QueryLakeParameterCollection : DbParameterCollection
{
    private readonly List<QueryLakeParameter> _items = [];

    /// <inheritdoc />
    public override int Count => _items.Count;

    /// <inheritdoc />
    public override object SyncRoot => ((ICollection)_items).SyncRoot;

    /// <summary>Adds a named parameter with a value and returns it.</summary>
    public QueryLakeParameter AddWithValue(string name, object? value)
    {
        var p = new QueryLakeParameter(name, value);
        _items.Add(p);
        return p;
    }

    /// <inheritdoc />
    public override int Add(object value)
    {
        _items.Add(Cast(value));
        return _items.Count - 1;
    }

    /// <inheritdoc />
    public override void AddRange(Array values)
    {
        foreach (var v in values) Add(v!);
    }

    /// <inheritdoc />
    public override void Clear() => _items.Clear();

    /// <inheritdoc />
    public override bool Contains(object value) => value is QueryLakeParameter p && _items.Contains(p);

    /// <inheritdoc />
    public override bool Contains(string value) => IndexOf(value) >= 0;

    /// <inheritdoc />
    public override void CopyTo(Array array, int index) => ((ICollection)_items).CopyTo(array, index);

    /// <inheritdoc />
    public override IEnumerator GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public override int IndexOf(object value) => value is QueryLakeParameter p ? _items.IndexOf(p) : -1;

    /// <inheritdoc />
    public override int IndexOf(string parameterName)
    {
        var bare = parameterName.Length > 0 && parameterName[0] is '@' or '$' or ':' ? parameterName[1..] : parameterName;
        return _items.FindIndex(p => string.Equals(p.BareName, bare, StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc />
    public override void Insert(int index, object value) => _items.Insert(index, Cast(value));

    /// <inheritdoc />
    public override void Remove(object value) => _items.Remove(Cast(value));

    /// <inheritdoc />
    public override void RemoveAt(int index) => _items.RemoveAt(index);

    /// <inheritdoc />
    public override void RemoveAt(string parameterName)
    {
        int i = IndexOf(parameterName);
        if (i < 0) throw new ArgumentException($"no parameter named '{parameterName}'", nameof(parameterName));
        _items.RemoveAt(i);
    }

    /// <inheritdoc />
    protected override DbParameter GetParameter(int index) => _items[index];

    /// <inheritdoc />
    protected override DbParameter GetParameter(string parameterName) =>
        IndexOf(parameterName) is var i and >= 0 ? _items[i] : throw new ArgumentException($"no parameter named '{parameterName}'", nameof(parameterName));

    /// <inheritdoc />
    protected override void SetParameter(int index, DbParameter value) => _items[index] = Cast(value);

    /// <inheritdoc />
    protected override void SetParameter(string parameterName, DbParameter value)
    {
        int i = IndexOf(parameterName);
        if (i < 0) _items.Add(Cast(value)); else _items[i] = Cast(value);
    }

    private static QueryLakeParameter Cast(object value) => value as QueryLakeParameter
        ?? throw new ArgumentException($"QueryLake commands take QueryLakeParameter objects, not {value?.GetType().Name ?? "null"}", nameof(value));

    /// <summary>Named values (keyed without prefix, case-insensitively) and positional values, as the engine takes them.</summary>
    internal (Dictionary<string, object?> Named, List<object?> Positional) ForEngine()
    {
        var named = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        var positional = new List<object?>();
        foreach (var p in _items)
        {
            var v = p.EngineValue();
            if (p.BareName.Length > 0) named[p.BareName] = v;
            positional.Add(v);
        }
        return (named, positional);
    }
}
