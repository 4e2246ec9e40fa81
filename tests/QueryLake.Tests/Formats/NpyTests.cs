using System.Diagnostics;
using System.Text.Json;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using FsCheck.Fluent;
using Xunit;

namespace QueryLake.Tests.Formats;

/// <summary>.npy files written by NumPy (float32 and float64 embeddings, int64 labels over several batches,
/// big-endian int16, booleans, uint8 image tensors, Fortran-order float64 tensors, 2-D ints) read back with the
/// values, types and shapes NumPy reports; damaged files and pickles fail with a clear error.</summary>
public sealed class NpyTests
{
    [Fact]
    public void Files_written_by_NumPy_read_back_exactly()
    {
        using var dir = new TempDir();
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Oracles.OraclesDir, "numpy-save.py"));
        psi.ArgumentList.Add(dir.Path);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        using var s = QueryLakeSession.Open();
        foreach (var file in JsonDocument.Parse(stdout).RootElement.EnumerateObject())
        {
            var shape = file.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            var expected = file.Value.GetProperty("rows").EnumerateArray().ToList();
            var result = s.Query($"SELECT * FROM read_npy('{dir.File(file.Name + ".npy")}') ORDER BY id");
            var rows = result.Rows().ToList();
            Assert.Equal(shape[0], rows.Count);
            string column = result.Schema.Fields[1].Name;
            Assert.Equal(shape.Length switch { 1 => "value", 2 when file.Name.StartsWith("embeddings", StringComparison.Ordinal) => "embedding", 2 => "value", _ => "tensor" }, column);
            if (shape.Length > 2) Assert.Equal($"tensor<{(file.Name.Contains("u1") ? "uint8" : "float64")}, [{string.Join(", ", shape.Skip(1))}]>", result.Schema.Fields[1].DataType.ToString());
            for (int r = 0; r < rows.Count; r++)
            {
                Assert.Equal((long)r, rows[r][0]);
                var want = expected[r].EnumerateArray().ToList();
                var got = rows[r][1] is System.Collections.IEnumerable e && rows[r][1] is not string ? e.Cast<object?>().ToList() : [rows[r][1]];
                Assert.Equal(want.Count, got.Count);
                for (int k = 0; k < want.Count; k++)
                {
                    object? g = got[k];
                    switch (want[k].ValueKind)
                    {
                        case JsonValueKind.True or JsonValueKind.False: Assert.Equal(want[k].GetBoolean(), g); break;
                        default:
                            double w = want[k].GetDouble(), v = Convert.ToDouble(g, System.Globalization.CultureInfo.InvariantCulture);
                            // float64 embeddings narrow to float32, the EMBEDDING type.
                            double tolerance = column == "embedding" && file.Name.EndsWith("f8", StringComparison.Ordinal) ? 1e-6 * Math.Max(1, Math.Abs(w)) : 0;
                            Assert.True(Math.Abs(w - v) <= tolerance, $"{file.Name} row {r} element {k}: NumPy {w}, QueryLake {v}");
                            break;
                    }
                }
            }
        }
        // Imported, the float32 file is an EMBEDDING dataset ready for similarity search.
        s.Execute($"IMPORT NPY '{dir.File("embeddings_f4.npy")}' INTO vectors");
        Assert.Equal("EMBEDDING(16)", s.Query("SELECT typeof(embedding) FROM vectors LIMIT 1").Rows().Single()[0]);
        Assert.Equal(0L, s.Query("SELECT id FROM vectors ORDER BY cosine_distance(embedding, (SELECT embedding FROM vectors WHERE id = 0)) LIMIT 1").Rows().Single()[0]);
    }

    [Fact]
    public void Damaged_files_and_pickles_fail_naming_the_file_and_the_problem()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open();
        void Fails(string name, byte[] bytes, string message)
        {
            File.WriteAllBytes(dir.File(name), bytes);
            var e = Assert.ThrowsAny<QueryLakeException>(() => s.Query($"SELECT * FROM '{dir.File(name)}'"));
            Assert.Contains(name, e.Message);
            Assert.Contains(message, e.Message);
        }
        byte[] Npy(string header, int dataBytes)
        {
            var h = System.Text.Encoding.ASCII.GetBytes(header.PadRight(118) + "\n");
            return [0x93, .. "NUMPY"u8, 1, 0, (byte)h.Length, 0, .. h, .. new byte[dataBytes]];
        }
        Fails("not.npy", "hello world, not numpy"u8.ToArray(), "no \\x93NUMPY magic");
        Fails("short.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 4), }", 100), "needs 160");
        Fails("pickle.npy", Npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8), "never unpickles");
        Fails("complex.npy", Npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 16), "does not read");
        Fails("garbled.npy", Npy("{'descr': '<f4', 'shape': (2,), }", 8), "cannot parse");
        Fails("v9.npy", [0x93, .. "NUMPY"u8, 9, 0, 0, 0, 0, 0], "version 9.0");
        // A header length past the end of the file.
        Fails("header.npy", [0x93, .. "NUMPY"u8, 1, 0, 0xFF, 0xFF, (byte)'{'], "past the end");
    }
}

/// <summary>Fuzzing: FsCheck-generated bit flips, overwrites, truncations and splices of a valid .npy file either
/// read or fail with CorruptFileException naming the file; never another exception, a hang or a huge allocation.</summary>
public sealed class NpyFuzzTests
{
    [Fact]
    public void Corrupted_files_fail_cleanly_or_read()
    {
        using var dir = new TempDir();
        var header = System.Text.Encoding.ASCII.GetBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (6, 4), }".PadRight(117) + "\n");
        var data = new byte[6 * 4 * 4];
        for (int i = 0; i < 24; i++) BitConverter.GetBytes(i * 0.5f).CopyTo(data, i * 4);
        byte[] valid = [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0, .. header, .. data];
        var path = dir.File("fuzz.npy");
        File.WriteAllBytes(path, valid);
        Assert.Equal(6, QueryLake.Formats.Npy.NpyReader.Read(path).Batches.Sum(b => b.Length));
        int n = 0;
        var property = Prop.ForAll(Corruptions.Gen.ToArbitrary(), c =>
        {
            var file = dir.File($"fuzz-{n++}.npy");
            File.WriteAllBytes(file, Corruptions.Apply(valid, c));
            Assert.True(Bounded.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { QueryLake.Formats.Npy.NpyReader.Read(file); }
                catch (CorruptFileException e) { Assert.Contains("fuzz-", e.Message); }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < 64 << 20, $"reading a corrupted file allocated {allocated} bytes");
            }, TimeSpan.FromSeconds(10)), $"reading a corrupted file hung: {c}");
        });
        FsCheck.Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(400), property);
    }
}
