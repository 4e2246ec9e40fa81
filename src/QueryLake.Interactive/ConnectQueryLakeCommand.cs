using Microsoft.DotNet.Interactive.Commands;

namespace QueryLake.Interactive;

/// <summary>The command <c>#!connect querylake --kernel-name NAME --lake-path DIR [--read-only]</c> becomes.</summary>
public sealed class ConnectQueryLakeCommand(string connectedKernelName) : ConnectKernelCommand(connectedKernelName)
{
    /// <summary>The lake's folder (created when missing).</summary>
    public string LakePath { get; set; } = "";

    /// <summary>Refuse statements that change the lake or write files.</summary>
    public bool ReadOnly { get; set; }
}
