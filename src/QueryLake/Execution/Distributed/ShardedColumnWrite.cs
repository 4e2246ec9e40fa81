using System.Text.Json;
using QueryLake.Errors;
using QueryLake.Sessions;

namespace QueryLake.Execution.Distributed;

/// <summary>
/// <c>ALTER DATASET … ADD COLUMN … AS expr</c> as a two-phase write by independent processes (a Slurm job array, a
/// Kubernetes indexed Job), through a shared work folder:
/// <list type="number">
/// <item><see cref="Plan"/> pins the dataset's version and writes <c>plan.json</c> (the statement, the version, the
/// fragments);</item>
/// <item><see cref="Run"/>, once per shard <c>k</c> of <c>n</c> (in any order, on any machine that reaches the lake),
/// writes the column's file for every fragment whose position is <c>k</c> modulo <c>n</c>, uncommitted, and records
/// them in <c>shard-k-of-n.json</c> (written whole, then renamed: a killed shard leaves no record, and a rerun replaces
/// it);</item>
/// <item><see cref="Commit"/> checks that the records name every fragment once and commits them all as one version,
/// which fails with QL-COMMIT-CONFLICT (nothing committed) if the dataset changed since the plan, so a second commit
/// never lands.</item>
/// </list>
/// Files of killed or rerun shards are named by no version; VACUUM removes them.
/// </summary>
public static class ShardedColumnWrite
{
    private sealed record PlanFile(string Sql, string Dataset, long Version, List<long> Fragments);

    private sealed record ShardFile(int Shard, int Shards, Dictionary<long, string> Files);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static string PlanPath(string dir) => Path.Combine(dir, "plan.json");

    /// <summary>Plans the write of <paramref name="sql"/> into <paramref name="dir"/>; returns the dataset, its pinned
    /// version and its fragment count.</summary>
    public static (string Dataset, long Version, int Fragments) Plan(QueryLakeSession session, string sql, string dir)
    {
        var plan = session.PlanDistributedAddColumn(sql)
            ?? throw new QueryLakeException("QL-BAD-ARGUMENT", "a sharded write takes one ALTER DATASET … ADD COLUMN … AS expr");
        Directory.CreateDirectory(dir);
        if (File.Exists(PlanPath(dir)) || Directory.EnumerateFiles(dir, "shard-*.json").Any())
            throw new QueryLakeException("QL-SHARDS-EXIST", $"'{dir}' already holds a sharded write's plan or shards: give each write a folder of its own");
        WriteWhole(PlanPath(dir), JsonSerializer.Serialize(new PlanFile(plan.Sql, plan.Dataset, plan.Version, plan.Fragments.ToList()), Json));
        return (plan.Dataset, plan.Version, plan.Fragments.Count);
    }

    /// <summary>Writes shard <paramref name="shard"/> of <paramref name="shards"/>'s column files; returns how many.</summary>
    public static int Run(QueryLakeSession session, string dir, int shard, int shards, CancellationToken cancel = default)
    {
        if (shards < 1 || shard < 0 || shard >= shards)
            throw new QueryLakeException("QL-BAD-ARGUMENT", $"shard {shard} of {shards}: a shard is 0 … count − 1, and the count at least 1");
        var plan = ReadPlan(dir);
        var files = new Dictionary<long, string>();
        for (int i = shard; i < plan.Fragments.Count; i += shards)
        {
            cancel.ThrowIfCancellationRequested();
            files[plan.Fragments[i]] = session.RunAddColumnTask(plan.Sql, plan.Version, plan.Fragments[i], cancel);
        }
        WriteWhole(Path.Combine(dir, $"shard-{shard}-of-{shards}.json"), JsonSerializer.Serialize(new ShardFile(shard, shards, files), Json));
        return files.Count;
    }

    /// <summary>Commits every shard's files as one version; returns the statement's result (the added column).</summary>
    public static QueryResult Commit(QueryLakeSession session, string dir, CancellationToken cancel = default)
    {
        var plan = ReadPlan(dir);
        var records = Directory.EnumerateFiles(dir, "shard-*-of-*.json").Order(StringComparer.Ordinal)
            .Select(f => Read<ShardFile>(f)).ToList();
        var counts = records.Select(r => r.Shards).Distinct().ToList();
        if (counts.Count > 1)
            throw new QueryLakeException("QL-SHARDS-INCOMPLETE", $"'{dir}' holds shards of different counts ({string.Join(", ", counts)}): run every shard with one count");
        var files = new Dictionary<long, string>();
        foreach (var r in records)
            foreach (var (fragment, file) in r.Files) files[fragment] = file;
        var missing = plan.Fragments.Where(f => !files.ContainsKey(f)).ToList();
        if (missing.Count > 0)
        {
            int n = counts.FirstOrDefault(1);
            var shardsMissing = Enumerable.Range(0, n).Where(k => records.All(r => r.Shard != k)).ToList();
            throw new QueryLakeException("QL-SHARDS-INCOMPLETE",
                $"{missing.Count} of {plan.Fragments.Count} fragments have no file yet" + (records.Count == 0 ? ": no shard has run" : $"; shards not run: {string.Join(", ", shardsMissing)} of {n}") + ". Nothing was committed");
        }
        var (schema, batches) = session.FinishAddColumn(new QueryLakeSession.DistributedColumn(plan.Sql, plan.Dataset, plan.Version, plan.Fragments), files, cancel);
        return new QueryResult(plan.Sql, schema, batches);
    }

    private static PlanFile ReadPlan(string dir) =>
        File.Exists(PlanPath(dir)) ? Read<PlanFile>(PlanPath(dir))
            : throw new QueryLakeException("QL-FILE-NOT-FOUND", $"'{dir}' holds no plan.json: run 'querylake shard plan' first");

    private static T Read<T>(string path)
    {
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new QueryLakeException("QL-CORRUPT", $"'{path}' is not a sharded write's record: {e.Message}"); }
    }

    /// <summary>Writes a file whole under a temporary name, then renames it into place.</summary>
    private static void WriteWhole(string path, string text)
    {
        string temp = $"{path}.tmp-{Guid.NewGuid():N}";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
