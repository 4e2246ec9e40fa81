using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Connection;
using Microsoft.DotNet.Interactive.Directives;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Interactive;

/// <summary><c>#!connect querylake --kernel-name NAME --lake-path DIR [--read-only]</c>: opens the lake and adds a SQL
/// kernel named NAME whose cells run against it.</summary>
public sealed class ConnectQueryLakeDirective : ConnectKernelDirective<ConnectQueryLakeCommand>
{
    /// <summary>Declares the directive and its parameters.</summary>
    public ConnectQueryLakeDirective() : base("querylake", "Opens a QueryLake lake and adds a SQL kernel for it")
    {
        Parameters.Add(new KernelDirectiveParameter("--lake-path", "The lake's folder (created when missing)") { Required = true, TypeHint = "file" });
        Parameters.Add(new KernelDirectiveParameter("--read-only", "Refuse statements that change the lake or write files") { Flag = true });
    }

    /// <inheritdoc />
    public override Task<IEnumerable<Kernel>> ConnectKernelsAsync(ConnectQueryLakeCommand command, KernelInvocationContext context)
    {
        QueryLakeSession session;
        try { session = QueryLakeSession.Open(command.LakePath); }
        catch (QueryLakeException e)
        {
            throw new InvalidOperationException($"cannot open the lake '{command.LakePath}': {e.Code}: {e.Message}");
        }
        session.ReadOnly = command.ReadOnly;
        return Task.FromResult<IEnumerable<Kernel>>([new QueryLakeKernel(command.ConnectedKernelName, session)]);
    }
}
