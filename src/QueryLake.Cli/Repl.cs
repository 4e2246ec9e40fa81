using System.Text;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>The basic REPL: statements end with ';' and may span lines; Ctrl-C cancels the running statement.
/// (The polished REPL, with completion and highlighting, is its own issue.)</summary>
internal static class Repl
{
    public static int Run(QueryLakeSession session, OutputFormat format)
    {
        bool interactive = !Console.IsInputRedirected;
        if (interactive) Console.WriteLine($"querylake — lake {session.Lake.Path}\nEnd statements with ';'. Ctrl-D exits.");
        CancellationTokenSource? running = null;
        Console.CancelKeyPress += (_, e) =>
        {
            if (running is { } r) { e.Cancel = true; r.Cancel(); }
        };
        var buffer = new StringBuilder();
        int exit = 0;
        while (true)
        {
            if (interactive) Console.Write(buffer.Length == 0 ? "ql> " : "  > ");
            var line = Console.ReadLine();
            if (line is null) break;
            buffer.AppendLine(line);
            if (!line.TrimEnd().EndsWith(';')) continue;
            var sql = buffer.ToString();
            buffer.Clear();
            running = new CancellationTokenSource();
            try
            {
                foreach (var result in session.Execute(sql, cancel: running.Token)) ResultPrinter.Print(Console.Out, result, format);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("Error: " + e switch
                {
                    OperationCanceledException => "cancelled",
                    QueryLakeException or IOException or UnauthorizedAccessException => e.Message,
                    _ => $"internal error ({e.GetType().Name}): {e.Message}",
                });
                exit = 1;
            }
            finally
            {
                running.Dispose();
                running = null;
            }
        }
        return interactive ? 0 : exit;
    }
}
