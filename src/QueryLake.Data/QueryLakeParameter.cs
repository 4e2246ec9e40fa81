using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace QueryLake.Data;

/// <summary>
/// A command parameter. Referenced in SQL as <c>@name</c>, <c>$name</c> or <c>:name</c> (the name may be given with
/// or without the prefix), or by position with <c>?</c>. Values: numbers, strings, bool, DateTime, DateOnly, byte[]
/// or a Stream (blobs), float[] or ReadOnlyMemory&lt;float&gt; (embedding vectors), or null/DBNull.
/// </summary>
public sealed class QueryLakeParameter : DbParameter
{
    private string _name = "";

    /// <summary>An unnamed parameter.</summary>
    public QueryLakeParameter() { }

    /// <summary>A named parameter with a value.</summary>
    public QueryLakeParameter(string name, object? value)
    {
        ParameterName = name;
        Value = value;
    }

    /// <inheritdoc />
    public override DbType DbType { get; set; } = DbType.Object;

    /// <summary>Only input parameters exist in QueryLake.</summary>
    public override ParameterDirection Direction
    {
        get => ParameterDirection.Input;
        set { if (value != ParameterDirection.Input) throw new NotSupportedException("QueryLake parameters are input only"); }
    }

    /// <inheritdoc />
    public override bool IsNullable { get; set; } = true;

    /// <inheritdoc />
    [AllowNull]
    public override string ParameterName
    {
        get => _name;
        set => _name = value ?? "";
    }

    /// <summary>The name without its @, $ or : prefix.</summary>
    internal string BareName => _name.Length > 0 && _name[0] is '@' or '$' or ':' ? _name[1..] : _name;

    /// <inheritdoc />
    public override int Size { get; set; }

    /// <inheritdoc />
    [AllowNull]
    public override string SourceColumn { get; set; } = "";

    /// <inheritdoc />
    public override bool SourceColumnNullMapping { get; set; }

    /// <inheritdoc />
    public override object? Value { get; set; }

    /// <inheritdoc />
    public override void ResetDbType() => DbType = DbType.Object;

    /// <summary>The value as the engine takes it.</summary>
    internal object? EngineValue() => Value switch
    {
        null or DBNull => null,
        QueryLakeVector v => v.Values.ToArray(),
        ReadOnlyMemory<float> m => m.ToArray(),
        Memory<float> m => m.ToArray(),
        Stream s => ReadAll(s),
        ReadOnlyMemory<byte> b => b.ToArray(),
        DateTimeOffset d => d.UtcDateTime,
        Guid g => g.ToString(),
        char c => c.ToString(),
        Enum e => Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture),
        var v => v,
    };

    private static byte[] ReadAll(Stream s)
    {
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
