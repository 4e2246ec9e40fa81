using System.Globalization;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>The REPL's dot commands (.help, .datasets, .schema, .versions, .mode, .timer, .maxrows, .read, .open,
/// .quit). They only call the session; every answer comes from the engine.</summary>
internal static class MetaCommands
{
    public const string Help = """
        .help                 this list
        .datasets             the lake's datasets                      (SHOW DATASETS)
        .schema DATASET       a dataset's columns                      (DESCRIBE DATASET)
        .versions DATASET     a dataset's versions                     (SHOW VERSIONS OF DATASET)
        .mode MODE            output: table, csv, json, markdown or line
        .timer on|off         print each statement's run time
        .maxrows N            rows shown in table and line output (default 40)
        .read FILE            run the statements in FILE
        .open LAKE_DIR        switch to another lake
        .quit                 leave (Ctrl-D does too)
        Statements end with ';' and may span lines. Tab completes keywords, datasets, columns, functions and
        paths inside quotes; Up and Down walk the history (~/.querylake_history). Ctrl-C cancels a running statement.
        """;

    /// <summary>Runs a dot command; returns false for an unknown one (after printing why).</summary>
    public static void Run(string line, ReplState state, Action<string> execute, TextWriter output)
    {
        var parts = line.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        string command = parts[0].ToLowerInvariant(), arg = parts.Length > 1 ? parts[1].Trim() : "";
        switch (command)
        {
            case ".help": output.WriteLine(Help); break;
            case ".datasets" or ".tables": execute("SHOW DATASETS;"); break;
            case ".schema" when arg.Length > 0: execute($"DESCRIBE {arg};"); break;
            case ".versions" when arg.Length > 0: execute($"SHOW VERSIONS OF {arg};"); break;
            case ".mode" when Enum.TryParse<OutputFormat>(arg, ignoreCase: true, out var f): state.Format = f; break;
            case ".mode": throw new ArgumentException($"unknown mode '{arg}': use table, csv, json, markdown or line");
            case ".timer" when arg is "on" or "off": state.Timer = arg == "on"; break;
            case ".maxrows" when int.TryParse(arg, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0: state.MaxRows = n; break;
            case ".read" when arg.Length > 0: execute(File.ReadAllText(arg.Trim('\'', '"'))); break;
            case ".open" when arg.Length > 0:
                var next = QueryLakeSession.Open(arg.Trim('\'', '"'));
                state.Session.Dispose();
                state.Session = next;
                output.WriteLine($"opened lake {next.Lake.Path}");
                break;
            case ".quit" or ".exit": state.Quit = true; break;
            case ".schema" or ".versions" or ".read" or ".open" or ".timer" or ".maxrows":
                throw new ArgumentException($"{command} needs an argument; see .help");
            default: throw new ArgumentException($"unknown command {command}; see .help");
        }
    }
}
