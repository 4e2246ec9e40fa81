using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.ValueSharing;
using QueryLake.Display;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Interactive;

/// <summary>
/// A SQL kernel over one lake: each cell's statements run in order, each result is displayed as it comes (an HTML
/// table, or with <c>--plot</c> a chart), and the cell's last result is kept under <c>--name</c> (default
/// <c>result</c>) for other kernels: <c>#!share --from lake NAME</c> gives C# the <see cref="QueryResult"/>. An error
/// fails the cell with QueryLake's message and code; cancelling the cell cancels the running statement.
/// </summary>
public sealed class QueryLakeKernel : Kernel,
    IKernelCommandHandler<SubmitCode>,
    IKernelCommandHandler<RequestValue>,
    IKernelCommandHandler<RequestValueInfos>
{
    private readonly QueryLakeSession _session;
    private readonly Dictionary<string, QueryResult> _values = new(StringComparer.Ordinal);

    /// <summary>A kernel named <paramref name="name"/> over the open <paramref name="session"/> (which it disposes).</summary>
    public QueryLakeKernel(string name, QueryLakeSession session) : base(name)
    {
        _session = session;
        KernelInfo.LanguageName = "SQL";
        KernelInfo.DisplayName = $"{name} - QueryLake SQL";
        KernelInfo.Description = "Run QueryLake SQL against a lake";
        RegisterForDisposal(session);
    }

    /// <summary>The session cells run in (its settings persist from cell to cell).</summary>
    public QueryLakeSession Session => _session;

    /// <inheritdoc />
    public override KernelSpecifierDirective KernelSpecifierDirective
    {
        get
        {
            var directive = base.KernelSpecifierDirective;
            if (!directive.Parameters.Any(p => p.Name == "--name"))
            {
                directive.Parameters.Add(new KernelDirectiveParameter("--name", "The name the cell's last result is kept under, for #!share (default: result)"));
                directive.Parameters.Add(new KernelDirectiveParameter("--plot", "Draw the result: a histogram of one numeric column, or bars of (label, number) columns") { Flag = true });
            }
            return directive;
        }
    }

    Task IKernelCommandHandler<SubmitCode>.HandleAsync(SubmitCode command, KernelInvocationContext context)
    {
        string name = Parameter(command, "--name") is { Length: > 0 } n ? n : "result";
        bool plot = Parameter(command, "--plot") is { } p && !p.Equals("false", StringComparison.OrdinalIgnoreCase);
        try
        {
            // Each result shows as it comes; with --plot the cell's last result is drawn instead.
            QueryResult? last = null;
            foreach (var result in _session.ExecuteEach(command.Code, cancel: context.CancellationToken))
            {
                if (last is not null) context.Display(last, HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
                last = result.Materialize();
            }
            if (last is null) return Task.CompletedTask;
            _values[name] = last;
            if (plot && last.RowsAffected is null)
            {
                var svg = ResultPlot.Svg(last.Schema, last.Batches, out var why);
                if (svg is null) context.Fail(command, message: $"QL-BAD-ARGUMENT: {why}");
                else context.Display(new ResultChart(svg), HtmlFormatter.MimeType);
            }
            else context.Display(last, HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
        }
        catch (QueryLakeException e)
        {
            context.Fail(command, message: $"{e.Code}: {e.Message}");
        }
        return Task.CompletedTask;
    }

    /// <summary>A kernel-specifier parameter's value as given on the cell's first line (null when not given; a flag
    /// reads "True" or "False").</summary>
    private static string? Parameter(SubmitCode command, string name) =>
        command.Parameters.TryGetValue(name, out var value) && value is not null
            ? Unquote(value.Trim()) : null;

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;

    Task IKernelCommandHandler<RequestValue>.HandleAsync(RequestValue command, KernelInvocationContext context)
    {
        if (_values.TryGetValue(command.Name, out var value))
            context.Publish(new ValueProduced(value, command.Name, Formatted(value, command.MimeType), command));
        else
            context.Fail(command, message: $"no result named '{command.Name}' in kernel {Name}; name one with #!{Name} --name {command.Name}");
        return Task.CompletedTask;
    }

    /// <summary>A result as another kernel asks for it: JSON (an array of row objects, numbers and booleans as such,
    /// other values as QueryLake writes them) for kernels in other processes or languages, else the text table. A C#
    /// kernel in the same process takes the <see cref="QueryResult"/> itself.</summary>
    private static FormattedValue Formatted(QueryResult value, string? mimeType)
    {
        if (mimeType != JsonFormatter.MimeType) return new FormattedValue(PlainTextFormatter.MimeType, ResultText.Table(value, 50));
        var rows = new System.Text.Json.Nodes.JsonArray();
        var fields = value.Schema.Fields;
        foreach (var batch in value.Batches)
            for (int r = 0; r < batch.Length; r++)
            {
                var row = new System.Text.Json.Nodes.JsonObject();
                for (int c = 0; c < fields.Count; c++)
                {
                    var v = batch.Columns[c].GetValue(r);
                    row[fields[c].Name] = v switch
                    {
                        null => null,
                        bool b => b,
                        long or int or short or sbyte or byte or ushort or uint => System.Text.Json.Nodes.JsonValue.Create(Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)),
                        double d when double.IsFinite(d) => d,
                        float f when float.IsFinite(f) => f,
                        string text => text,
                        _ => ValueText.Cell(v, fields[c].DataType),
                    };
                }
                rows.Add(row);
            }
        return new FormattedValue(JsonFormatter.MimeType, rows.ToJsonString());
    }

    Task IKernelCommandHandler<RequestValueInfos>.HandleAsync(RequestValueInfos command, KernelInvocationContext context)
    {
        var infos = _values.Select(v => new KernelValueInfo(v.Key,
            FormattedValue.CreateSingleFromObject($"{v.Value.RowCount} rows", PlainTextFormatter.MimeType), typeof(QueryResult))).ToArray();
        context.Publish(new ValueInfosProduced(infos, command));
        return Task.CompletedTask;
    }
}
