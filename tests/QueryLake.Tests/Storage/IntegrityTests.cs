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
            WithFlip(file, random, at =>
            {
                var rows = Check();
                var name = Path.GetRelativePath(Path.Combine(_lake, "t"), file);
                if (!rows.Any(r => (string)r[0]! == name && (string)r[3]! == "corrupt"))
                    Assert.Fail($"flipping byte {at} of {name} went unnoticed");
                flips++;
            });
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
                WithFlip(file, random, at =>
                {
                    var e = Assert.ThrowsAny<QueryLakeException>(() => Read());
                    Assert.Equal("QL-CORRUPT", e.Code);
                    Assert.Contains(Path.GetFileName(file), e.Message);
                });
        Assert.Equal(expected, Read());
    }

    /// <summary>Runs <paramref name="check"/> with one random byte of <paramref name="file"/> changed, then restores it.</summary>
    private static void WithFlip(string file, Random random, Action<int> check)
    {
        var bytes = File.ReadAllBytes(file);
        int at = random.Next(bytes.Length);
        byte original = bytes[at];
        bytes[at] ^= (byte)random.Next(1, 256);
        File.WriteAllBytes(file, bytes);
        try { check(at); }
        finally
        {
            bytes[at] = original;
            File.WriteAllBytes(file, bytes);
        }
    }

    [Fact]
    public void A_scan_verifies_only_the_columns_it_reads_and_fails_on_the_one_that_is_damaged()
    {
        // Damage one value of column d (a double: any bits are a valid value) in the first data file: a scan of a is
        // unaffected, as it hashes nothing of d; a scan of d fails with QL-CORRUPT naming the column instead of giving
        // a wrong sum; CHECK DATASET reports the file.
        var data = Files().First(f => f.Contains($"{Path.DirectorySeparatorChar}data{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var reader = QueryLake.Formats.Ipc.ArrowFileReader.Open(data);
        int column = reader.Schema.Fields.ToList().FindIndex(f => f.Name == "d");
        Assert.True(column >= 0);
        var (start, end) = reader.ColumnRange(0, column);
        var bytes = File.ReadAllBytes(data);
        bytes[(start + end) / 2] ^= 0x5A;
        File.WriteAllBytes(data, bytes);
        using (var s = QueryLakeSession.Open(_lake))
        {
            Assert.Equal(24742L, s.Query("SELECT count(*) FROM t WHERE a >= 0").Rows().Single()[0]);
            var e = Assert.ThrowsAny<QueryLakeException>(() => s.Query("SELECT sum(d) FROM t").Rows().ToList());
            Assert.Equal("QL-CORRUPT", e.Code);
            Assert.Contains("column 'd'", e.Message);
            Assert.Contains(Path.GetFileName(data), e.Message);
        }
        Assert.Contains(Check(), r => (string)r[3]! == "corrupt" && data.EndsWith((string)r[0]!, StringComparison.Ordinal));
    }

    [Fact]
    public void Part_checksums_written_match_the_bytes_of_every_part_and_cover_the_whole_file()
    {
        // Recompute each part's hash from the finished file with the reader's ranges: the parts the writer hashed
        // while writing are exactly those ranges, and together with the prefix and suffix they tile the file.
        using var s = QueryLakeSession.Open(_lake);
        foreach (var file in Files().Where(f => f.EndsWith(".arrow", StringComparison.Ordinal) && f.Contains("data", StringComparison.Ordinal)))
        {
            var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Directory.EnumerateFiles(Path.Combine(_lake, "t", "_versions", "main")).Order(StringComparer.Ordinal).Last()));
            var record = FindParts(json.RootElement, Path.GetRelativePath(Path.Combine(_lake, "t"), file).Replace('\\', '/'));
            var reader = QueryLake.Formats.Ipc.ArrowFileReader.Open(file);
            var bytes = File.ReadAllBytes(file);
            var (prefixEnd, suffixStart) = reader.Layout;
            Assert.Equal(record.GetProperty("prefixEnd").GetInt64(), prefixEnd);
            Assert.Equal(record.GetProperty("suffixStart").GetInt64(), suffixStart);
            Assert.Equal(record.GetProperty("prefix").GetString(), Hex(bytes.AsSpan(0, (int)prefixEnd)));
            Assert.Equal(record.GetProperty("suffix").GetString(), Hex(bytes.AsSpan((int)suffixStart)));
            var hashes = Convert.FromBase64String(record.GetProperty("batches").GetString()!);
            long covered = prefixEnd + (bytes.Length - suffixStart);
            int k = 0;
            for (int b = 0; b < reader.RecordBatchCount; b++)
            {
                var (ms, me) = reader.MetadataRange(b);
                Assert.Equal(BitConverter.ToUInt64(hashes, 8 * k++), System.IO.Hashing.XxHash3.HashToUInt64(bytes.AsSpan((int)ms, (int)(me - ms))));
                covered += me - ms;
                long at = me;
                for (int c = 0; c < reader.Schema.Fields.Count; c++)
                {
                    var (cs, ce) = reader.ColumnRange(b, c);
                    Assert.Equal(at, cs);
                    Assert.Equal(BitConverter.ToUInt64(hashes, 8 * k++), System.IO.Hashing.XxHash3.HashToUInt64(bytes.AsSpan((int)cs, (int)(ce - cs))));
                    covered += ce - cs;
                    at = ce;
                }
            }
            Assert.Equal(hashes.Length, 8 * k);
            Assert.Equal(bytes.Length, covered);
        }
    }

    private static System.Text.Json.JsonElement FindParts(System.Text.Json.JsonElement manifest, string path)
    {
        foreach (var fragment in manifest.GetProperty("fragments").EnumerateArray())
            foreach (var file in fragment.GetProperty("files").EnumerateArray())
                if (file.GetProperty("path").GetString() == path) return file.GetProperty("parts");
        throw new Xunit.Sdk.XunitException($"{path} is not in the manifest");
    }

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        System.IO.Hashing.XxHash3.HashToUInt64(bytes).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

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
