using System.Globalization;
using QueryLake.Language;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>The REPL's dot commands (.help, .datasets, .schema, .versions, .mode, .timer, .maxrows, .read, .open,
/// .quit). They only call the session; every answer comes from the engine.</summary>
internal static class MetaCommands
{
    public const string Help = """
        .help                 this list
        .datasets             the lake's datasets                      (SHOW DATASETS; .tables too)
        .schema [DATASET]     a dataset's columns, or every dataset's  (DESCRIBE DATASET)
        .versions DATASET     a dataset's versions                     (SHOW VERSIONS OF DATASET)
        .mode MODE            output: table (or duckbox), csv, json, markdown or line
        .headers on|off       header row in csv and markdown output
        .output [FILE]        results to FILE (replaced) until .output alone; .once FILE for the next statement only
        .import FILE DATASET  load a CSV, Parquet, Arrow or JSON file: appends to DATASET, or creates it
        .show                 the current settings
        .timer on|off         print each statement's run time
        .maxrows N            rows shown in table and line output (default 40: the first and last 20)
        .read FILE            run the statements in FILE
        .open LAKE_DIR        switch to another lake
        .quit                 leave (Ctrl-D does too)
        Statements end with ';' (not one inside quotes or comments) and may span lines. Tab completes keywords,
        datasets, columns, functions and paths inside quotes: it lists the candidates, and again cycles through them; Up and Down
        walk the history (~/.querylake_history). Ctrl-C cancels a running statement; Ctrl-L clears the screen.
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
            case ".schema":
                foreach (var name in Datasets(state))
                {
                    output.WriteLine(name);
                    execute($"DESCRIBE {SqlIdentifier.Quote(name)};");
                }
                break;
            case ".headers" when arg is "on" or "off": state.Headers = arg == "on"; break;
            case ".output": state.Redirect(arg.Length == 0 ? null : Unquote(arg), once: false); break;
            case ".once" when arg.Length > 0: state.Redirect(Unquote(arg), once: true); break;
            case ".import" when SplitImport(arg) is var (file, dataset):
                var source = "'" + file.Replace("'", "''") + "'";
                execute(Datasets(state).Contains(dataset)
                    ? $"INSERT INTO {SqlIdentifier.Quote(dataset)} SELECT * FROM {source};"
                    : $"CREATE DATASET {SqlIdentifier.Quote(dataset)} AS SELECT * FROM {source};");
                break;
            case ".show":
                output.WriteLine($"""
                           lake: {state.Session.Lake.Path}
                           mode: {state.Format.ToString().ToLowerInvariant()}
                        headers: {(state.Headers ? "on" : "off")}
                          timer: {(state.Timer ? "on" : "off")}
                        maxrows: {state.MaxRows}
                         output: {state.OutputPath ?? "stdout"}
                    """);
                break;
            case ".versions" when arg.Length > 0: execute($"SHOW VERSIONS OF {arg};"); break;
            case ".mode" when arg.Equals("duckbox", StringComparison.OrdinalIgnoreCase) || arg.Equals("box", StringComparison.OrdinalIgnoreCase): state.Format = OutputFormat.Table; break;
            case ".mode" when Enum.TryParse<OutputFormat>(arg, ignoreCase: true, out var f) && Enum.IsDefined(f): state.Format = f; break;
            case ".mode": throw new ArgumentException($"unknown mode '{arg}': use table (or duckbox), csv, json, markdown or line");
            case ".timer" when arg is "on" or "off": state.Timer = arg == "on"; break;
            case ".maxrows" when int.TryParse(arg, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0: state.MaxRows = n; break;
            case ".read" when arg.Length > 0: execute(File.ReadAllText(Unquote(arg))); break;
            case ".open" when arg.Length > 0:
                var next = QueryLakeSession.Open(Unquote(arg));
                state.Session.Dispose();
                state.Session = next;
                output.WriteLine($"opened lake {next.Lake.Path}");
                break;
            case ".quit" or ".exit": state.Quit = true; break;
            case ".versions" or ".read" or ".open" or ".timer" or ".maxrows" or ".headers" or ".once" or ".import":
                throw new ArgumentException($"{command} needs an argument; see .help");
            default: throw new ArgumentException($"unknown command {command}; see .help");
        }
    }

    private static string Unquote(string s) => s.Trim().Trim('\'', '"');

    private static List<string> Datasets(ReplState state) => state.Session.Query("SHOW DATASETS").Rows().Select(r => (string)r[0]!).ToList();

    /// <summary>.import's FILE and DATASET: the file may be quoted (and then hold spaces); the dataset is the last word.</summary>
    private static (string File, string Dataset)? SplitImport(string arg)
    {
        int cut = arg.TrimEnd().LastIndexOf(' ');
        if (cut <= 0) return null;
        var file = Unquote(arg[..cut]);
        var dataset = arg[(cut + 1)..].Trim();
        return file.Length == 0 || dataset.Length == 0 ? null : (file, dataset);
    }
}
