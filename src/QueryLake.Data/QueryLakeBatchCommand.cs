using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace QueryLake.Data;

/// <summary>One command of a <see cref="QueryLakeBatch"/>, with its own parameters.</summary>
public sealed class QueryLakeBatchCommand : DbBatchCommand
{
    private string _text = "";

    /// <summary>An empty batch command.</summary>
    public QueryLakeBatchCommand() { }

    /// <summary>A batch command with text.</summary>
    public QueryLakeBatchCommand(string commandText) => _text = commandText;

    /// <inheritdoc />
    [AllowNull]
    public override string CommandText
    {
        get => _text;
        set => _text = value ?? "";
    }

    /// <summary>Only text.</summary>
    public override CommandType CommandType
    {
        get => CommandType.Text;
        set { if (value != CommandType.Text) throw new NotSupportedException("QueryLake commands are SQL text"); }
    }

    /// <inheritdoc />
    public override int RecordsAffected => Affected;

    internal int Affected { get; set; } = -1;

    /// <summary>The parameters.</summary>
    public new QueryLakeParameterCollection Parameters { get; } = new();

    /// <inheritdoc />
    protected override DbParameterCollection DbParameterCollection => Parameters;

    /// <inheritdoc />
    public override bool CanCreateParameter => true;

    /// <inheritdoc />
    public override DbParameter CreateParameter() => new QueryLakeParameter();
}
