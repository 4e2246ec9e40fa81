using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using QueryLake.Display;
using QueryLake.Sessions;

namespace QueryLake.Interactive;

/// <summary>What referencing the package does in a notebook (through its <c>extension.dib</c>): adds
/// <c>#!connect querylake</c> and registers the formatters that show <see cref="QueryResult"/>s, in SQL cells and in
/// C# cells alike.</summary>
public static class QueryLakeKernelExtension
{
    /// <summary>Adds the connect directive to <paramref name="root"/> (a composite kernel) and registers the formatters.</summary>
    public static void Load(Kernel root)
    {
        RegisterFormatters();
        if (root is CompositeKernel composite)
        {
            composite.AddConnectDirective(new ConnectQueryLakeDirective());
            KernelInvocationContext.Current?.Display(new HtmlString(
                "<details><summary>QueryLake is loaded.</summary><p>Open a lake with <code>#!connect querylake --kernel-name lake --lake-path DIR [--read-only]</code>, " +
                "then run SQL in <code>#!lake</code> cells (<code>#!lake --name flights</code> keeps a result for <code>#!share --from lake flights</code>; " +
                "<code>#!lake --plot</code> draws one).</p></details>"), "text/html");
        }
    }

    /// <summary>HTML and plain-text formatters for query results and record batches, through
    /// Microsoft.DotNet.Interactive.Formatting.</summary>
    public static void RegisterFormatters()
    {
        Formatter.Register<QueryResult>((result, writer) => writer.Write(ResultHtml.Render(result.Schema, result.Batches)), HtmlFormatter.MimeType);
        Formatter.Register<QueryResult>((result, writer) => writer.Write(ResultText.Table(result, 50)), PlainTextFormatter.MimeType);
        Formatter.Register<Columnar.RecordBatch>((batch, writer) => writer.Write(ResultHtml.Render(batch.Schema, [batch])), HtmlFormatter.MimeType);
        Formatter.Register<ResultChart>((chart, writer) => writer.Write(chart.Svg), HtmlFormatter.MimeType);
    }
}
