using System.Diagnostics;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Functions.Scalar;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Functions;

/// <summary>TENSOR indexing against NumPy's basic indexing (Debian's python3-numpy): random shapes of rank 1 to 3,
/// random mixes of integer indexes (negative too) and slices (missing, negative and out-of-range bounds, negative and
/// larger steps) select the same elements in the same order, with the same result shape, from fixed-shape tensors
/// (positions worked out once) and from variable-shape ones (per row).</summary>
public sealed class TensorIndexingProperties
{
    private sealed record Case(int[] Shape, TensorFunctions.Entry[] Entries);

    /// <summary>An entry for a dimension of <paramref name="size"/>, from raw random numbers.</summary>
    private static TensorFunctions.Entry EntryFor(int size, (int Kind, int A, int B, int Step) raw)
    {
        long? Bound(int x) => x % 4 == 0 ? null : x % (2 * size + 5) - size - 2;
        long?[] steps = [null, 1, 2, 3, -1, -2, -3];
        return raw.Kind < 3
            ? new TensorFunctions.Entry(raw.A % (2 * size) - size, null, null, null, false)
            : new TensorFunctions.Entry(null, Bound(raw.A), Bound(raw.B), steps[raw.Step % steps.Length], true);
    }

    private static readonly Gen<(int, int, int, int)> Raw =
        from kind in Gen.Choose(0, 9)
        from a in Gen.Choose(0, 10_000)
        from b in Gen.Choose(0, 10_000)
        from step in Gen.Choose(0, 6)
        select (kind, a, b, step);

    private static readonly Gen<Case> Cases =
        from rank in Gen.Choose(1, 3)
        from shape in Gen.ArrayOf(Gen.Choose(1, 5), rank)
        from count in Gen.Choose(0, rank)
        from raw in Gen.ArrayOf(Raw, count)
        select new Case(shape, raw.Select((r, d) => EntryFor(shape[d], r)).ToArray());

    [Fact]
    public void Tensor_indexing_selects_what_NumPy_selects()
    {
        Assert.True(File.Exists("/usr/bin/python3"), "python3-numpy is missing: run `bash tests/run.sh`, which installs it");
        var property = Prop.ForAll(Gen.ArrayOf(Cases, 20).ToArbitrary(), cases =>
        {
            var numpy = NumPy(cases);
            for (int c = 0; c < cases.Length; c++)
            {
                var expected = numpy[c];
                var positions = expected.GetProperty("positions").EnumerateArray().Select(x => x.GetInt32()).ToArray();
                var shape = expected.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
                string what = $"shape [{string.Join(", ", cases[c].Shape)}], entries {string.Join(", ", cases[c].Entries)}";
                var tensor = new TensorType(DataType.Float32, cases[c].Shape);
                // The same selection from a variable-shape tensor, whose shape is known only per row, to the kernel.
                var variable = new TensorType(DataType.Float32, cases[c].Shape.Length);
                var (variableResult, kernel) = TensorFunctions.Index(variable, cases[c].Entries);
                var builder = ArrayBuilder.Create(variable);
                builder.Append(new Dictionary<string, object?>
                {
                    ["data"] = Enumerable.Range(0, cases[c].Shape.Aggregate(1, (a, b) => a * b)).Select(i => (float)i).ToArray(),
                    ["shape"] = cases[c].Shape,
                });
                var row = builder.Build();
                if (positions.Length == 0)
                {
                    var e = Assert.Throws<QueryLakeException>(() => TensorFunctions.Index(tensor, cases[c].Entries));
                    Assert.Contains("selects no elements", e.Message);
                    Assert.Contains("selects no elements", Assert.Throws<QueryLakeException>(() => kernel([row], 1)).Message);
                    continue;
                }
                var (result, _) = TensorFunctions.Index(tensor, cases[c].Entries);
                var (ours, _) = TensorFunctions.Positions(cases[c].Shape, cases[c].Entries);
                Assert.True(positions.SequenceEqual(ours), $"{what}: NumPy [{string.Join(", ", positions)}], QueryLake [{string.Join(", ", ours)}]");
                var ourShape = result is TensorType t ? t.Shape!.ToArray() : [];
                Assert.True(shape.SequenceEqual(ourShape), $"{what}: NumPy shape [{string.Join(", ", shape)}], QueryLake [{string.Join(", ", ourShape)}]");
                var taken = kernel([row], 1).GetValue(0);
                if (variableResult is TensorType)
                {
                    var value = (IReadOnlyDictionary<string, object?>)taken!;
                    var data = TensorFunctions.Items(value["data"]!).Select(x => (int)(float)x!).ToArray();
                    var dims = TensorFunctions.Items(value["shape"]!).Select(x => (int)x!).ToArray();
                    Assert.True(positions.SequenceEqual(data) && shape.SequenceEqual(dims), $"{what}: variable-shape took [{string.Join(", ", data)}] of shape [{string.Join(", ", dims)}]");
                }
                else Assert.True(shape.Length == 0 && (float)taken! == positions[0], $"{what}: variable-shape took {taken}");
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }

    private static JsonElement[] NumPy(Case[] cases)
    {
        var json = JsonSerializer.Serialize(cases.Select(c => new
        {
            shape = c.Shape,
            entries = c.Entries.Select(e => e.IsSlice
                ? (object)new Dictionary<string, long?> { ["from"] = e.From, ["to"] = e.To, ["step"] = e.Step }
                : new Dictionary<string, long?> { ["index"] = e.Index }),
        }));
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Oracles.OraclesDir, "numpy-index.py"));
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(json);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"numpy-index.py failed: {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.EnumerateArray().Select(x => x.Clone()).ToArray();
    }
}
