using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>Every data file, deletion vector and manifest carries a checksum its manifest (or itself) records: a
/// flipped byte anywhere is QL-CORRUPT naming the file when read, and CHECK DATASET reports it; the reader refuses
/// manifests that are not manifests, or that claim another version than their name.</summary>
public sealed class IntegrityTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _lake;

    public IntegrityTests()
    {
        _lake = Path.Combine(_dir.Path, "lake");
        using var s = QueryLakeSession.Open(_lake);
        // Two fragments, a deletion vector on each, a rewritten column: every kind of file a version refers to.
        s.Execute("CREATE DATASET t AS SELECT range AS a, 'v' || CAST(range % 13 AS VARCHAR) AS s, range * 0.5 AS d FROM range(20000)");
        s.Execute("INSERT INTO t SELECT range + 20000, 'w', range FROM range(5000)");
        s.Execute("DELETE FROM t WHERE a % 97 = 0");
        s.Execute("UPDATE t SET d = -1 WHERE a % 89 = 0");
    }

    public void Dispose() => _dir.Dispose();

    private (string Sum, long Rows) Read()
    {
        using var s = QueryLakeSession.Open(_lake);
        var row = s.Query("SELECT CAST(sum(a) AS VARCHAR) || '/' || CAST(sum(d) AS VARCHAR) || '/' || string_agg(DISTINCT s, ','), count(*) FROM t").Rows().Single();
        return ((string)row[0]!, (long)row[1]!);
    }

    /// <summary>The files the latest version refers to, and its manifest.</summary>
    private List<string> Files()
    {
        using var s = QueryLakeSession.Open(_lake);
        return s.Query("CHECK DATASET t").Rows().Select(r => Path.Combine(_lake, "t", (string)r[0]!)).ToList();
    }

    private List<object?[]> Check()
    {
        using var s = QueryLakeSession.Open(_lake);
        return s.Query("CHECK DATASET t").Rows().ToList();
    }

    [Fact]
    public void A_healthy_version_checks_ok_and_every_kind_of_file_is_checked()
    {
        var rows = Check();
        Assert.All(rows, r => Assert.Equal("ok", r[3]));
        Assert.Equal(new[] { "data", "deletions", "manifest" }, rows.Select(r => (string)r[1]!).Distinct().Order(StringComparer.Ordinal));
        using var s = QueryLakeSession.Open(_lake);
        Assert.All(s.Query("CHECK DATASET t VERSION 1").Rows(), r => Assert.Equal("ok", r[3]));
        Assert.Equal("QL-VERSION-NOT-FOUND", Assert.ThrowsAny<QueryLakeException>(() => s.Execute("CHECK DATASET t VERSION 99")).Code);
    }

    [Fact]
    public void Any_flipped_byte_of_any_file_is_detected_by_check_dataset()
    {
        var files = Files();
        var random = new Random(20261203);
        int flips = 0;
        for (int trial = 0; trial < 500; trial++)
        {
            var file = files[random.Next(files.Count)];
            var bytes = File.ReadAllBytes(file);
            int at = random.Next(bytes.Length);
            byte original = bytes[at];
            bytes[at] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(file, bytes);
            try
            {
                var rows = Check();
                var name = Path.GetRelativePath(Path.Combine(_lake, "t"), file);
                if (!rows.Any(r => (string)r[0]! == name && (string)r[3]! == "corrupt"))
                    Assert.Fail($"flipping byte {at} of {name} (0x{original:x2} to 0x{bytes[at]:x2}) went unnoticed");
                flips++;
            }
            finally
            {
                bytes[at] = original;
                File.WriteAllBytes(file, bytes);
            }
        }
        Assert.Equal(500, flips);
        Assert.All(Check(), r => Assert.Equal("ok", r[3]));
    }

    [Fact]
    public void A_query_over_a_damaged_file_fails_with_ql_corrupt_naming_it_instead_of_a_wrong_answer()
    {
        var expected = Read();
        var random = new Random(7);
        foreach (var file in Files())
            for (int trial = 0; trial < 8; trial++)
            {
                var bytes = File.ReadAllBytes(file);
                int at = random.Next(bytes.Length);
                byte original = bytes[at];
                bytes[at] ^= (byte)random.Next(1, 256);
                File.WriteAllBytes(file, bytes);
                try
                {
                    var e = Assert.ThrowsAny<QueryLakeException>(() => Read());
                    Assert.Equal("QL-CORRUPT", e.Code);
                    Assert.Contains(Path.GetFileName(file), e.Message);
                }
                finally
                {
                    bytes[at] = original;
                    File.WriteAllBytes(file, bytes);
                }
            }
        Assert.Equal(expected, Read());
    }

    [Fact]
    public void Manifests_that_are_not_manifests_or_claim_another_version_are_refused()
    {
        var versions = Path.Combine(_lake, "t", "_versions", "main");
        var garbage = Path.Combine(versions, "00000000000000000099.json");
        File.WriteAllText(garbage, "{\"garbage\":\"x\"}");
        using (var s = QueryLakeSession.Open(_lake))
        {
            var e = Assert.ThrowsAny<QueryLakeException>(() => s.Query("SELECT count(*) FROM t VERSION 99").Rows().ToList());
            Assert.Equal("QL-CORRUPT", e.Code);
            Assert.Contains("00000000000000000099.json", e.Message);
            // Older versions still read.
            Assert.Equal(20000L, s.Query("SELECT count(*) FROM t VERSION 1").Rows().Single()[0]);
        }
        // A real manifest copied under another version's name: a jump from 4 to 99.
        File.Copy(Path.Combine(versions, "00000000000000000002.json"), garbage, overwrite: true);
        using (var s = QueryLakeSession.Open(_lake))
        {
            var e = Assert.ThrowsAny<QueryLakeException>(() => s.Query("SELECT count(*) FROM t").Rows().ToList());
            Assert.Equal("QL-CORRUPT", e.Code);
            Assert.Contains("holds version 2", e.Message);
        }
    }

    [Fact]
    public void A_missing_data_file_is_reported()
    {
        var data = Files().First(f => f.Contains($"{Path.DirectorySeparatorChar}data{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        File.Move(data, data + ".moved");
        var rows = Check();
        Assert.Contains(rows, r => (string)r[3]! == "missing" && data.EndsWith((string)r[0]!, StringComparison.Ordinal));
    }
}
