using FsCheck;
using FsCheck.Fluent;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Storage.Fragments;
using QueryLake.Storage.Manifests;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>The manifest reader and the deletion-vector reader on damaged input: every read succeeds or fails with
/// QL-CORRUPT naming the file. Manifests are fuzzed twice: as damaged (the checksum catches it) and re-signed after the
/// damage (so the JSON parser and the structural checks see it), and what they accept must open as a schema.</summary>
public sealed class ManifestFuzzTests
{
    private static (string Lake, byte[] Manifest, string Deletions) Sample(TempDir dir)
    {
        var lake = Path.Combine(dir.Path, "lake");
        using var s = QueryLakeSession.Open(lake);
        s.Execute("CREATE DATASET t AS SELECT range AS a, 'v' || range AS s, [range] AS l, {'x': range} AS st FROM range(1000)");
        s.Execute("INSERT INTO t SELECT range, 'w', [1, 2], {'x': 1} FROM range(10)");
        s.Execute("DELETE FROM t WHERE a % 7 = 0");
        var versions = Path.Combine(lake, "t", "_versions", "main");
        var manifest = File.ReadAllBytes(Directory.EnumerateFiles(versions).Order(StringComparer.Ordinal).Last());
        var deletions = Directory.EnumerateFiles(Path.Combine(lake, "t", "deletions")).First();
        return (lake, manifest, deletions);
    }

    /// <summary>The bytes with a fresh checksum tail, as a writer that damaged them would have signed them.</summary>
    private static byte[] Resign(byte[] damaged)
    {
        var text = System.Text.Encoding.UTF8.GetString(damaged);
        int at = text.LastIndexOf(",\n  \"checksum\"", StringComparison.Ordinal);
        var body = at < 0 ? damaged : damaged[..System.Text.Encoding.UTF8.GetByteCount(text[..at])];
        var hex = System.IO.Hashing.XxHash3.HashToUInt64(body).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        return [.. body, .. System.Text.Encoding.UTF8.GetBytes($",\n  \"checksum\": \"{hex}\"\n}}\n")];
    }

    private static void ReadManifest(byte[] bytes)
    {
        try
        {
            var m = ManifestJson.Deserialize(bytes, "fuzz.json");
            ManifestJson.ToSchema(m.Schema);
        }
        catch (CorruptFileException e) { Assert.Equal("QL-CORRUPT", e.Code); Assert.Contains("fuzz.json", e.Message); }
    }

    [Fact]
    public void Damaged_manifests_read_or_fail_with_ql_corrupt()
    {
        using var dir = new TempDir();
        var (_, manifest, _) = Sample(dir);
        ReadManifest(manifest);
        var property = Prop.ForAll(Corruptions.Gen.ToArbitrary(), c =>
        {
            var damaged = Corruptions.Apply(manifest, c);
            // As damaged: the checksum refuses any change it covers.
            // (Cutting only the final newline changes nothing the checksum covers or the parser reads: harmless.)
            if (!damaged.AsSpan().TrimEnd((byte)'\n').SequenceEqual(manifest.AsSpan().TrimEnd((byte)'\n')))
                Assert.Equal("QL-CORRUPT", Assert.Throws<CorruptFileException>(() => ManifestJson.Deserialize(damaged, "fuzz.json")).Code);
            // Re-signed: the parser and the structural checks.
            Assert.True(Bounded.Run(() => ReadManifest(Resign(damaged)), TimeSpan.FromSeconds(10)), $"reading a damaged manifest hung: {c}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    [Fact]
    public void Damaged_deletion_vectors_read_or_fail_with_ql_corrupt()
    {
        using var dir = new TempDir();
        var (_, _, deletions) = Sample(dir);
        var valid = File.ReadAllBytes(deletions);
        var folder = Path.GetDirectoryName(Path.GetDirectoryName(deletions))!;
        var root = Path.GetDirectoryName(folder)!;
        var storage = new QueryLake.Storage.Stores.LakeStorage(root, new QueryLake.Storage.Stores.LocalStore(root));
        var property = Prop.ForAll(Corruptions.Gen.ToArbitrary(), c =>
        {
            var damaged = Corruptions.Apply(valid, c);
            var path = Path.Combine(folder, "deletions", "fuzz-" + Guid.NewGuid().ToString("N") + ".arrow");
            File.WriteAllBytes(path, damaged);
            try
            {
                // Without a checksum (a vector from before format 2): the Arrow reader must cope.
                try { DeletionVector.Read(storage, folder, new DeletionRecord { Path = Path.GetRelativePath(folder, path), Count = 1 }); }
                catch (CorruptFileException e) { Assert.Equal("QL-CORRUPT", e.Code); }
                // With the original's checksum: any change is refused.
                var original = QueryLake.Storage.Integrity.FileChecksum.Of(deletions);
                if (!damaged.AsSpan().SequenceEqual(valid))
                    Assert.Equal("QL-CORRUPT", Assert.Throws<CorruptFileException>(() =>
                        DeletionVector.Read(storage, folder, new DeletionRecord { Path = Path.GetRelativePath(folder, path), Count = 1, Checksum = original })).Code);
            }
            finally { File.Delete(path); }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }
}
