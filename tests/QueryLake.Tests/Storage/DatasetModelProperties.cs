using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Storage;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Storage;

/// <summary>
/// Random sequences of appends, deletes, updates and compactions applied both to a dataset and to a plain
/// in-memory list. Invariants: the latest version equals the model; every older version still equals the
/// model as it was then (versions are immutable); row ids of surviving rows never change except by compaction.
/// </summary>
public sealed class DatasetModelProperties
{
    public sealed record Op(int Kind, int A, int B);

    private static readonly Gen<Op> Ops =
        from kind in Gen.Frequency((4, Gen.Constant(0)), (3, Gen.Constant(1)), (2, Gen.Constant(2)), (1, Gen.Constant(3)))
        from a in Gen.Choose(0, 60)
        from b in Gen.Choose(1, 7)
        select new Op(kind, a, b);

    [Fact]
    public void Every_version_matches_the_model()
    {
        var property = Prop.ForAll(Gen.ListOf(Ops).Select(l => l.ToArray()).ToArbitrary(), ops =>
        {
            using var dir = new TempDir();
            var ds = Lake.Open(dir.Path).CreateDataset("m", LakeTestData.Scenes, new DatasetWriteOptions { MaxRowsPerFile = 40, MaxRowsPerBatch = 16, CompactBelowRows = 30 });
            var model = new List<(long Id, string? Lighting)>();
            var history = new Dictionary<long, List<(long, string?)>> { [1] = [] };
            long nextId = 0;
            foreach (var op in ops)
            {
                DatasetSnapshot v;
                switch (op.Kind)
                {
                    case 0:
                        var batch = LakeTestData.Batch(nextId, op.A);
                        model.AddRange(Enumerable.Range(0, op.A).Select(i => (nextId + i, (string?)batch.Column("lighting").GetValue(i))));
                        nextId += op.A;
                        v = ds.Append(batch);
                        break;
                    case 1:
                        v = ds.DeleteWhere((b, i) => ((PrimitiveArray<long>)b.Column("id"))[i] % op.B == 0, ["id"]);
                        model.RemoveAll(r => r.Id % op.B == 0);
                        break;
                    case 2:
                        string label = $"L{op.A}";
                        v = ds.Update((b, i) => ((PrimitiveArray<long>)b.Column("id"))[i] % op.B == 1,
                            new Dictionary<string, Func<RecordBatch, int, object?>> { ["lighting"] = (_, _) => label });
                        for (int i = 0; i < model.Count; i++) if (model[i].Id % op.B == 1) model[i] = (model[i].Id, label);
                        break;
                    default:
                        v = ds.Compact();
                        break;
                }
                history[v.Version] = model.ToList();
            }
            foreach (var (version, expected) in history)
            {
                var snap = ds.Checkout(version);
                var actual = snap.Scan(["id", "lighting"]).SelectMany(b => Enumerable.Range(0, b.Length)
                    .Select(i => (((PrimitiveArray<long>)b.Column("id"))[i], (string?)b.Column("lighting").GetValue(i)))).OrderBy(r => r.Item1).ToList();
                Assert.Equal(expected.OrderBy(r => r.Item1).ToList(), actual);
                Assert.Equal(expected.Count, snap.RowCount);
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40).WithEndSize(12), property);
    }
}
