using System.Diagnostics;
using QueryLake.Columnar.Arrays;
using QueryLake.Storage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>Kills a writer process at random moments and checks the dataset is always readable at its last
/// committed version, with every committed append complete and nothing committed lost.</summary>
public sealed class CrashRecoveryTests
{
    private static string WriterDll() => Programs.Dll("QueryLake.CrashWriter", "QueryLake.CrashWriter");

    [Fact]
    public void Killing_a_writer_mid_append_never_leaves_a_half_visible_version()
    {
        using var dir = new TempDir();
        var dll = WriterDll();
        var rng = new Random(2024);
        long committed = 0;
        for (int run = 0; run < 12; run++)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(dll);
            psi.ArgumentList.Add(dir.Path);
            psi.ArgumentList.Add("crash");
            using var p = Process.Start(psi)!;
            Assert.Equal("ready", p.StandardOutput.ReadLine());
            // Odd runs first wait for the writer's first commit (however slow a loaded machine makes it), so the test
            // always kills writers that have committed; even runs kill at any moment, possibly inside the first append.
            if (run % 2 == 1) Assert.Equal("committed", p.StandardOutput.ReadLine());
            Thread.Sleep(rng.Next(5, 400));
            p.Kill(entireProcessTree: true);
            p.WaitForExit();

            var ds = Lake.Open(dir.Path).OpenDataset("crash");
            var latest = ds.Latest();
            Assert.True(latest.RowCount >= committed, $"run {run}: {latest.RowCount} rows after a crash, {committed} were committed before");
            committed = latest.RowCount;
            // The latest version and a sample of earlier ones (versions are immutable once written, and checking every
            // one after every run grows quadratically with the writer's speed).
            var versions = ds.Versions().ToList();
            var sample = versions.TakeLast(3).Concat(versions.OrderBy(_ => rng.Next()).Take(10)).Distinct();
            foreach (var v in sample)
            {
                var snap = ds.Checkout(v.Version);
                Assert.Equal(0, snap.RowCount % 1000);
                long expected = 0;
                foreach (var b in snap.Scan())
                {
                    var n = (PrimitiveArray<long>)b.Column("n");
                    var label = (BinaryArray)b.Column("label");
                    for (int i = 0; i < b.Length; i++, expected++)
                    {
                        Assert.Equal(expected, n[i]);
                        Assert.Equal($"row {expected}", label.GetString(i));
                    }
                }
                Assert.Equal(snap.RowCount, expected);
            }
        }
        Assert.True(committed > 0, "the writer never committed anything; the test proved nothing");
    }

    [Fact]
    public void Killing_a_create_as_leaves_no_dataset_or_the_whole_one()
    {
        // CREATE DATASET … AS writes its rows and then publishes version 1: killed at any moment (20 times, from before
        // the first file to after the commit), the dataset is either absent, so a retry creates it, or complete. It
        // used to commit an empty version 1 first, which a kill left behind and a retry refused as "already exists".
        using var dir = new TempDir();
        var cli = Programs.Dll("QueryLake.Cli", "querylake");
        const long Rows = 1_200_000;
        var rng = new Random(7);
        int absent = 0, complete = 0;
        for (int run = 0; run < 20; run++)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(cli);
            psi.ArgumentList.Add(dir.Path);
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"CREATE DATASET x AS SELECT range AS n, 'row ' || CAST(range AS VARCHAR) AS label FROM range({Rows})");
            using var p = Process.Start(psi)!;
            p.WaitForExit(rng.Next(100, 1200)); // kill at a random moment, or stop waiting once it has finished
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } // it had finished
            p.WaitForExit();
            var lake = Lake.Open(dir.Path);
            if (!lake.DatasetExists("x")) { absent++; continue; }
            var ds = lake.OpenDataset("x");
            Assert.Single(ds.Versions());
            Assert.Equal(Rows, ds.Latest().RowCount);
            complete++;
            lake.DropDataset("x");
        }
        Assert.True(absent > 0, "no run was killed before its commit; the test proved nothing");
    }

    [Fact]
    public void Killing_a_create_or_replace_leaves_the_old_rows_or_the_whole_new_ones()
    {
        // CREATE OR REPLACE writes the new rows and then commits one version naming only them: killed at any moment, the
        // dataset holds its old rows (no new version) or all the new ones (one new version); it is never missing or empty.
        using var dir = new TempDir();
        var cli = Programs.Dll("QueryLake.Cli", "querylake");
        const long Rows = 1_200_000;
        var rng = new Random(11);
        using (var s = QueryLake.Sessions.QueryLakeSession.Open(dir.Path)) s.Execute("CREATE DATASET x AS SELECT range AS n FROM range(10)");
        int old = 0, replaced = 0;
        for (int run = 0; run < 12; run++)
        {
            var before = Lake.Open(dir.Path).OpenDataset("x");
            long versions = before.LatestVersion, rows = before.Latest().RowCount;
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(cli);
            psi.ArgumentList.Add(dir.Path);
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"CREATE OR REPLACE DATASET x AS SELECT range AS n, 'row ' || CAST(range AS VARCHAR) AS label FROM range({Rows})");
            using var p = Process.Start(psi)!;
            p.WaitForExit(rng.Next(100, 1200)); // kill at a random moment, or stop waiting once it has finished
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } // it had finished
            p.WaitForExit();
            var ds = Lake.Open(dir.Path).OpenDataset("x");
            if (ds.LatestVersion == versions) { Assert.Equal(rows, ds.Latest().RowCount); old++; continue; }
            Assert.Equal(versions + 1, ds.LatestVersion);
            Assert.Equal(Rows, ds.Latest().RowCount);
            Assert.Equal(2, ds.Schema.Fields.Count);
            Assert.Equal(rows, ds.Checkout(versions).RowCount);
            replaced++;
        }
        Assert.True(old > 0, "no run was killed before its commit; the test proved nothing");
    }
}
