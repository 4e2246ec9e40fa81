using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>
/// <c>querylake [LAKE_DIR | s3://bucket/prefix] [-c SQL]... [-f FILE] [--format table|csv|json|markdown]</c>: runs statements and
/// prints their results, or opens the REPL when neither -c nor -f is given. <c>demo</c> (or <c>--demo</c>) runs the demo.
/// </summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
        string? lake = null;
        var commands = new List<(bool IsFile, string Text)>();
        var format = OutputFormat.Table;
        bool readOnly = false, externalAccess = true, lockConfiguration = false;
        var allowedDirectories = new List<string>();
        var allowedPaths = new List<string>();
        var store = QueryLake.Storage.LakeOptions.Default;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "-c" or "--command" when i + 1 < args.Length: commands.Add((false, args[++i])); break;
                case "-f" or "--file" when i + 1 < args.Length: commands.Add((true, args[++i])); break;
                case "--format" when i + 1 < args.Length:
                    if (!Enum.TryParse(args[++i], ignoreCase: true, out format))
                        return Fail($"unknown format '{args[i]}': use table, csv, json, markdown or line");
                    break;
                case "--read-only" or "-readonly": readOnly = true; break;
                case "--no-external-access": externalAccess = false; break;
                case "--allowed-directory" when i + 1 < args.Length: allowedDirectories.Add(args[++i]); break;
                case "--allowed-path" when i + 1 < args.Length: allowedPaths.Add(args[++i]); break;
                case "--lock-configuration": lockConfiguration = true; break;
                case "--endpoint" when i + 1 < args.Length: store = store with { Endpoint = args[++i] }; break;
                case "--region" when i + 1 < args.Length: store = store with { Region = args[++i] }; break;
                case "--path-style": store = store with { PathStyle = true }; break;
                case "--commit-lock" when i + 1 < args.Length: store = store with { CommitLock = args[++i] }; break;
                case "demo" or "--demo" when i == 0:
                {
                    var rest = args[1..].ToList();
                    string? embedding = null;
                    int at = rest.IndexOf("--embedding");
                    if (at >= 0)
                    {
                        embedding = at + 1 < rest.Count ? rest[at + 1] switch
                        {
                            "builtin" => "image_embedding",
                            "resnet18" when QueryLake.Demo.DemoStory.DefaultEmbedding == "image_embedding_resnet18" => "image_embedding_resnet18",
                            "resnet18" => "",
                            _ => null,
                        } : null;
                        if (embedding is null) return Fail("usage: querylake demo [DIR] [--force] [--embedding builtin|resnet18]");
                        if (embedding == "") return Fail("--embedding resnet18 needs the QueryLake.Onnx package beside querylake");
                        rest.RemoveRange(at, 2);
                    }
                    var folders = rest.Where(x => x != "--force").ToList();
                    if (folders.Count > 1 || folders.Any(x => x.StartsWith('-'))) return Fail("usage: querylake demo [DIR] [--force] [--embedding builtin|resnet18]");
                    return Demo.Run(folders.FirstOrDefault(), force: rest.Contains("--force"), embedding);
                }
                case "serve" when i == 0: return Serve.Run(args[1..]);
                case "shard" when i == 0: return Shard.Run(args[1..]);
                case "-h" or "--help": Usage(); return 0;
                case "-c" or "-f" or "--format" or "--allowed-directory" or "--allowed-path" or "--endpoint" or "--region" or "--commit-lock": return Fail($"{a} needs a value");
                default:
                    if (a.StartsWith('-')) return Fail($"unknown option {a}; see querylake --help");
                    if (lake is not null) return Fail($"only one LAKE_DIR may be given (got '{lake}' and '{a}')");
                    lake = a;
                    break;
            }
        }
        QueryLakeSession opened;
        try { opened = QueryLake.Cluster.Hosting.ClusterSession.IsCluster(lake) ? QueryLake.Cluster.Hosting.ClusterSession.Open(lake!) : QueryLakeSession.Open(lake, store); }
        catch (Errors.QueryLakeException e) when (QueryLake.Cluster.Hosting.ClusterSession.IsCluster(lake)) { return Fail(e.Message); }
        using var session = opened;
        session.ReadOnly = readOnly;
        session.FileAccess.Configure(externalAccess, allowedDirectories, allowedPaths, lockConfiguration);
        if (commands.Count == 0) return Repl.Run(session, format);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        foreach (var (isFile, text) in commands)
        {
            try
            {
                string sql = isFile ? File.ReadAllText(text) : text;
                foreach (var result in session.ExecuteEach(sql, cancel: cancel.Token))
                    ResultPrinter.Print(Console.Out, result, format, width: ResultPrinter.TerminalWidth());
            }
            catch (Exception e)
            {
                if (e is Language.SqlException se && se.Pointer(isFile ? SafeRead(text) : text) is { Length: > 0 } pointer)
                {
                    Fail(se.Message);
                    Console.Error.WriteLine(pointer);
                    return 1;
                }
                return Fail(e switch
                {
                    OperationCanceledException => "cancelled",
                    QueryLakeException or IOException or UnauthorizedAccessException => e.Message,
                    _ => $"internal error ({e.GetType().Name}): {e.Message}",
                });
            }
        }
        return 0;
    }

    private static string SafeRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Error: {message}");
        return 1;
    }

    private static void Usage() => Console.WriteLine("""
        querylake — an embedded query engine and versioned lake for deep-learning data

        usage: querylake [LAKE_DIR | s3://BUCKET/PREFIX] [-c SQL]... [-f FILE] [--format table|csv|json|markdown|line] [--read-only]
                         [--no-external-access] [--allowed-directory DIR]... [--allowed-path FILE]... [--lock-configuration]
                         [--endpoint URL] [--region R] [--path-style] [--commit-lock FILE]
               querylake demo [DIR] [--force] [--embedding builtin|resnet18]
               querylake serve LAKE_DIR [--port 8815] [--read-only] [--token-file F] [--tls-cert F.pfx [--tls-password P]] [--any-address]
                 [--max-batch-bytes N]
               querylake serve LAKE_DIR --cluster [--silo-port 11111] [--gateway-port 30000]
                 [--primary HOST:PORT | --redis HOST:PORT | --postgres CONNECTION]
                 [--advertise IP] [--cluster-id ID] [--kubernetes] [--flight-port N]
               querylake cluster://HOST:PORT[,HOST:PORT...] [-c SQL]... [-f FILE] [--format F]
               querylake shard plan LAKE DIR -c "ALTER DATASET … ADD COLUMN … AS …" | shard run LAKE DIR [--shard K --of N]
                 | shard commit LAKE DIR

          LAKE_DIR        the lake directory (default: a temporary lake, deleted on exit), or s3://BUCKET/PREFIX for a
                          lake on S3-compatible object storage (credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
                          and the AWS profile files; see docs/format.md)
          --endpoint URL, --region R, --path-style
                          the object store's endpoint (default AWS_ENDPOINT_URL, else AWS S3), region, addressing
          --commit-lock FILE
                          a lock file every writer names, for a store that ignores conditional creates
          -c SQL          run SQL (repeatable; statements run in order)
          -f FILE         run the statements in FILE
          --format F      output format: table (default), csv, json, markdown or line
          --read-only     refuse statements that change the lake or write files (QL-READ-ONLY)
          --no-external-access
                          no file reads or writes outside the lake (SET enable_external_access = false), except:
          --allowed-directory DIR, --allowed-path FILE
                          a folder or a file that stays open (allowed_directories, allowed_paths; repeatable)
          --lock-configuration
                          SQL cannot change settings afterwards (SET lock_configuration = true)
          demo [DIR]      generate synthetic driving scenes and build a lake from them in DIR (default ./demo-lake;
                          a DIR or DIR-export that is not empty is refused unless --force is given, which deletes it),
                          printing each step: ingest, labels, damaged samples, enrichment, similarity search,
                          a stratified sample, a grouped split, a model's accuracy per lighting, an export
                          (to DIR-export: COPY never writes inside a lake); frames are embedded with ResNet18
                          (QueryLake.Onnx, about a minute on 2 cores) unless --embedding builtin picks the fast
                          built-in embedder

          serve LAKE_DIR --cluster
                          run a QueryLake silo (Microsoft Orleans) over the lake, which every silo reaches at the same
                          path or s3:// URI; on one machine the first silo is started without --primary and the
                          others name it; across machines every silo names the membership table, --redis HOST:PORT
                          or --postgres "Host=…;Database=…;Username=…" (PostgreSQL through ADO.NET; the first silo
                          creates its tables), and --advertise (its own IP); in a Kubernetes pod, --kubernetes (with
                          --redis or --postgres) takes the silo's name, IP and cluster from the pod; clients connect
                          to any silo's gateway port, or with --flight-port to its Arrow Flight server, whose queries
                          run on the cluster (docs/cluster.md)
          cluster://HOST:PORT
                          run queries, EXPLAIN and ALTER DATASET … ADD COLUMN … AS on a cluster, through any
                          silo's gateway
          shard plan|run|commit
                          ADD COLUMN … AS computed by independent processes (a Slurm job array) through the work folder
                          DIR: plan pins the version, run writes shard K of N (default SLURM_ARRAY_TASK_ID of
                          SLURM_ARRAY_TASK_COUNT) without committing, commit commits every shard's files as one version
          serve LAKE_DIR  serve the lake over Arrow Flight (gRPC) on localhost:8815: a ticket is a query's text, optionally
                          ending with SHARD i OF n [SEED s] [EPOCH e] [BATCH b]; DoPut appends to a dataset in one commit;
                          --token-file requires "authorization: Bearer <token>"; --tls-cert serves TLS (docs/flight.md)

        With neither -c nor -f, querylake opens the REPL: end statements with ";", .help lists its commands.
        """);
}
