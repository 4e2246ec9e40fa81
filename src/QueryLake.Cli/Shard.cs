using System.Globalization;
using QueryLake.Errors;
using QueryLake.Execution.Distributed;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>
/// <c>querylake shard plan|run|commit LAKE DIR …</c>: <c>ALTER DATASET … ADD COLUMN … AS expr</c> written by
/// independent processes (a Slurm job array, a Kubernetes indexed Job) through the work folder DIR, and committed once
/// (<see cref="ShardedColumnWrite"/>; docs/cluster.md has the Slurm recipe):
/// <list type="bullet">
/// <item><c>shard plan LAKE DIR -c "ALTER DATASET …"</c> pins the version;</item>
/// <item><c>shard run LAKE DIR [--shard K --of N]</c> writes shard K of N (defaults: SLURM_ARRAY_TASK_ID and
/// SLURM_ARRAY_TASK_COUNT, else JOB_COMPLETION_INDEX and SHARD_COUNT);</item>
/// <item><c>shard commit LAKE DIR</c> commits every shard's files as one version.</item>
/// </list>
/// </summary>
internal static class Shard
{
    private const string Usage = "usage: querylake shard plan LAKE DIR -c \"ALTER DATASET … ADD COLUMN … AS …\" | shard run LAKE DIR [--shard K --of N] | shard commit LAKE DIR";

    public static int Run(string[] args)
    {
        if (args.Length < 3 || args[0] is not ("plan" or "run" or "commit")) return Fail(Usage);
        string step = args[0], lake = args[1], dir = Path.GetFullPath(args[2]);
        string? sql = null;
        int? shard = null, shards = null;
        for (int i = 3; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "-c" or "--command" when step == "plan" && i + 1 < args.Length: sql = args[++i]; break;
                case "--shard" or "--of" when step == "run" && i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out int n)) return Fail($"{a} takes a number, not '{args[i]}'");
                    if (a == "--shard") shard = n; else shards = n;
                    break;
                default: return Fail($"unexpected '{a}' for shard {step}; {Usage}");
            }
        }
        shard ??= Env("SLURM_ARRAY_TASK_ID") ?? Env("JOB_COMPLETION_INDEX");
        shards ??= Env("SLURM_ARRAY_TASK_COUNT") ?? Env("SHARD_COUNT");
        string location = lake.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? lake : Path.GetFullPath(lake);
        if (!location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(location)) return Fail($"there is no lake at '{location}'");
        try
        {
            using var session = QueryLakeSession.Open(location);
            switch (step)
            {
                case "plan":
                    if (sql is null) return Fail("shard plan needs the statement: -c \"ALTER DATASET … ADD COLUMN … AS …\"");
                    var (dataset, version, fragments) = ShardedColumnWrite.Plan(session, sql, dir);
                    Console.WriteLine($"planned {dataset}@{version}: {fragments} fragments in {dir}");
                    return 0;
                case "run":
                    if (shard is null || shards is null) return Fail("shard run needs --shard K --of N (or SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT)");
                    int written = ShardedColumnWrite.Run(session, dir, shard.Value, shards.Value);
                    Console.WriteLine($"shard {shard} of {shards}: {written} fragment files written, not committed");
                    return 0;
                default:
                    using (var result = ShardedColumnWrite.Commit(session, dir))
                        foreach (var row in result.Rows()) Console.WriteLine(string.Join(" ", row));
                    return 0;
            }
        }
        catch (QueryLakeException e)
        {
            return Fail($"{e.Code}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail($"QL-IO: {e.Message}");
        }
    }

    private static int? Env(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"Error: {message}");
        return 1;
    }
}
