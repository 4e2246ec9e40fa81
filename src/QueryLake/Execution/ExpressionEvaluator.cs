using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;

namespace QueryLake.Execution;

/// <summary>Evaluates bound expressions over a record batch, a whole column at a time.</summary>
internal static class ExpressionEvaluator
{
    public static ArrowArray Evaluate(BoundExpr e, RecordBatch batch) => e switch
    {
        ColumnRef c => batch.Columns[c.Index],
        Literal l => Vectors.Broadcast(l.Type, l.Value, batch.Length),
        Call c => c.Kernel(c.Args.Select(a => Evaluate(a, batch)).ToList(), batch.Length),
        Cast c => CastKernel.Cast(Evaluate(c.Value, batch), c.Target, c.Try),
        CaseWhen w => Case(w, batch),
        _ => throw new InvalidOperationException($"cannot evaluate {e.GetType().Name}"),
    };

    private static ArrowArray Case(CaseWhen w, RecordBatch batch)
    {
        var whens = w.Branches.Select(b => Evaluate(b.When, batch)).ToArray();
        var thens = w.Branches.Select(b => Evaluate(b.Then, batch)).ToArray();
        var otherwise = w.Else is null ? null : Evaluate(w.Else, batch);
        var b = ArrayBuilder.Create(w.Type);
        for (int i = 0; i < batch.Length; i++)
        {
            int k = 0;
            while (k < whens.Length && !Vectors.IsTrue(whens[k], i)) k++;
            if (k < whens.Length) b.AppendFrom(thens[k], i);
            else if (otherwise is not null) b.AppendFrom(otherwise, i);
            else b.AppendNull();
        }
        return b.Build();
    }

    /// <summary>Evaluates a predicate and returns the indices of rows where it is true (NULL counts as false).</summary>
    public static int[] Select(BoundExpr predicate, RecordBatch batch)
    {
        var mask = (BooleanArray)Evaluate(predicate, batch);
        var result = new List<int>(batch.Length);
        bool noNulls = mask.NullCount == 0;
        for (int i = 0; i < batch.Length; i++)
            if ((noNulls || mask.IsValid(i)) && mask.GetBoolean(i)) result.Add(i);
        return result.ToArray();
    }
}
