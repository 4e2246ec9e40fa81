using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Kernels;
using QueryLake.Planning.Expressions;

namespace QueryLake.Execution;

/// <summary>Evaluates bound expressions over a record batch, a whole column at a time.</summary>
internal static class ExpressionEvaluator
{
    /// <summary>Evaluates <paramref name="e"/> over the batch's rows. An error a call or a CAST raises names where it
    /// was written in the statement (the innermost one that knows).</summary>
    public static ArrowArray Evaluate(BoundExpr e, RecordBatch batch)
    {
        try { return EvaluateHere(e, batch); }
        catch (Errors.QueryLakeException x) when (x is not Language.SqlException && Site(e) is { Known: true } at)
        {
            throw new Language.SqlException(x.Code, at.Line, at.Column, x.Message);
        }
    }

    private static ErrorSite Site(BoundExpr e) => e switch { Call c => c.At, Cast c => c.At, _ => default };

    private static ArrowArray EvaluateHere(BoundExpr e, RecordBatch batch) => e switch
    {
        ColumnRef c => batch.Columns[c.Index],
        Literal l => Vectors.Broadcast(l.Type, l.Value, batch.Length),
        Call c => Invoke(c, a => Evaluate(a, batch), batch.Length),
        Cast c => CastKernel.Cast(Evaluate(c.Value, batch), c.Target, c.Try),
        CaseWhen w => Case(w, batch),
        TryEval t => Try(t, batch),
        ListLambda l => Lambda(l, batch),
        OuterRef o => Vectors.Broadcast(o.Type, OuterRow.Value?[o.Slot], batch.Length),
        CorrelatedSubquery q => Correlated(q, batch),
        _ => throw new InvalidOperationException($"cannot evaluate {e.GetType().Name}"),
    };

    /// <summary>Calls a function's kernel on n rows. When its only column argument is dictionary-encoded (the others
    /// are literals), the kernel runs once per dictionary value instead of once per row and the results are taken by
    /// index: text results stay encoded over the new values, others are gathered. Kernels are element-wise, so this
    /// gives the same values; if the dictionary holds a value that fails (one no row may even use), the call runs
    /// row by row instead, so errors stay those of the rows.</summary>
    private static ArrowArray Invoke(Call c, Func<BoundExpr, ArrowArray> evaluate, int n)
    {
        var values = new ArrowArray?[c.Args.Count];
        int columns = 0;
        for (int i = 0; i < values.Length; i++)
            if (c.Args[i] is not Literal) { values[i] = evaluate(c.Args[i]); columns++; }
        ArrowArray Constant(Literal l, int length) => Vectors.Broadcast(l.Type, l.Value, c.Function.AcceptsConstants ? 1 : length);
        if (columns == 1 && values.FirstOrDefault(v => v is not null) is DictionaryArray { NullCount: 0 } d && d.Dictionary.Length <= n && d.Dictionary.NullCount == 0)
        {
            int m = d.Dictionary.Length;
            try
            {
                var perValue = c.Kernel(c.Args.Select((a, i) => a is Literal l ? Constant(l, m) : d.Dictionary).ToList(), m);
                return Vectors.Take(Vectors.Plain(perValue), d);
            }
            catch (Exception e) when (Recoverable(e)) { }
        }
        return c.Kernel(c.Args.Select((a, i) => a is Literal l ? Constant(l, n) : Vectors.Plain(values[i]!)).ToList(), n);
    }

    /// <summary>Evaluates a lambda body once over every element of the batch's lists (a batch of one column), then
    /// rebuilds each row's list from the elements kept (list_filter) or the results (list_transform).</summary>
    private static ArrowArray Lambda(ListLambda l, RecordBatch batch)
    {
        var lists = Evaluate(l.List, batch);
        int n = batch.Length;
        Func<int, (int Start, int Length)> range;
        ArrowArray values;
        switch (lists)
        {
            case ListArray list:
                values = list.Values;
                range = i => (list.GetValueOffset(i), list.GetValueLength(i));
                break;
            case FixedSizeListArray fixedList:
                values = fixedList.Values;
                range = i => ((fixedList.Data.Offset + i) * fixedList.ListSize, fixedList.ListSize);
                break;
            default: throw new InvalidOperationException($"{l.Function} over {lists.Type}");
        }
        int first = n == 0 ? 0 : range(0).Start, end = n == 0 ? 0 : range(n - 1).Start + range(n - 1).Length;
        var elements = values.Slice(first, end - first);
        var columns = new List<ArrowArray> { elements };
        if (l.Captures.Count > 0)
        {
            // Each element sits beside its row's captured values.
            var rowOf = new int[elements.Length];
            for (int i = 0; i < n; i++)
            {
                if (lists.IsNull(i)) continue;
                var (start, length) = range(i);
                rowOf.AsSpan(start - first, length).Fill(i);
            }
            foreach (var c in l.Captures) columns.Add(Kernels.Gather.Rows(Evaluate(c, batch), rowOf));
        }
        var schema = new Schema(columns.Select((c, k) => new Field(k == 0 ? l.Param : $"#capture{k}", c.Type)).ToList());
        var results = Vectors.Plain(Evaluate(l.Body, new RecordBatch(schema, columns, elements.Length)));
        var b = (ListBuilder)ArrayBuilder.Create(l.Type);
        for (int i = 0; i < n; i++)
        {
            if (lists.IsNull(i)) { b.AppendNull(); continue; }
            var (start, length) = range(i);
            for (int k = start - first; k < start - first + length; k++)
            {
                if (l.Function == "list_transform") b.Values.AppendFrom(results, k);
                else if (Vectors.IsTrue(results, k)) b.Values.AppendFrom(elements, k);
            }
            b.EndList();
        }
        return b.Build();
    }

    /// <summary>The whole batch at once; where that fails, row by row, each failing row giving NULL (try) or its
    /// error message (try_error). Cancellation, timeouts and the memory limit are never swallowed.</summary>
    private static ArrowArray Try(TryEval t, RecordBatch batch)
    {
        try
        {
            var all = Evaluate(t.Value, batch);
            return t.ErrorText ? Vectors.Broadcast(Columnar.Types.DataType.Utf8, null, batch.Length) : all;
        }
        catch (Exception e) when (Recoverable(e)) { }
        var b = ArrayBuilder.Create(t.Type);
        for (int i = 0; i < batch.Length; i++)
        {
            try
            {
                var one = Vectors.Plain(Evaluate(t.Value, batch.Slice(i, 1)));
                if (t.ErrorText) b.AppendNull(); else b.AppendFrom(one, 0);
            }
            catch (Exception e) when (Recoverable(e))
            {
                if (t.ErrorText) b.Append(e is Language.SqlException located ? located.Reason : e.Message); else b.AppendNull();
            }
        }
        return b.Build();
    }

    private static bool Recoverable(Exception e) =>
        e is Errors.QueryLakeException { Code: not ("QL-OUT-OF-MEMORY" or "QL-TIMEOUT" or "QL-CANCELLED") }
            or InvalidDataException or FormatException or OverflowException or InvalidCastException or ArgumentException or IndexOutOfRangeException;

    private static ArrowArray Case(CaseWhen w, RecordBatch batch)
    {
        var whens = w.Branches.Select(b => Evaluate(b.When, batch)).ToArray();
        var thens = w.Branches.Select(b => Vectors.Plain(Evaluate(b.Then, batch))).ToArray();
        var otherwise = w.Else is null ? null : Vectors.Plain(Evaluate(w.Else, batch));
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

    /// <summary>The outer row a correlated subquery is running for (flows into tasks the subquery starts).</summary>
    private static readonly AsyncLocal<object?[]?> Outer = new();

    private static class OuterRow
    {
        public static object?[]? Value => Outer.Value;
    }

    /// <summary>The most outer values whose correlated scalar or EXISTS result a query keeps.</summary>
    private const int MemoEntries = 1 << 16;

    private static ArrowArray Correlated(CorrelatedSubquery q, RecordBatch batch)
    {
        var args = q.OuterArgs.Select(a => Evaluate(a, batch)).ToArray();
        var value = q.Value is null ? null : Evaluate(q.Value, batch);
        // Results by outer values. A scalar or EXISTS result is one value, so it is kept for the whole query (up to
        // MemoEntries outer values), across batches and threads; an IN subquery's rows are kept for this batch only.
        var shared = q.Kind != SubqueryKind.In && QueryContext.Current is { } context
            ? context.Memo(q, () => new SubqueryMemo()) : null;
        var memo = new Dictionary<RowKey, object?>();
        var b = ArrayBuilder.Create(q.Type);
        var saved = Outer.Value;
        try
        {
            for (int i = 0; i < batch.Length; i++)
            {
                var key = RowKey.Of(args, i);
                if (!memo.TryGetValue(key, out var result))
                {
                    if (shared is null || !shared.Results.TryGetValue(key, out result))
                    {
                        Outer.Value = key.Values;
                        result = Run(q);
                        if (shared is not null && Interlocked.Increment(ref shared.Count) <= MemoEntries) shared.Results.TryAdd(key, result);
                    }
                    memo[key] = result;
                }
                if (q.Kind == SubqueryKind.In && result is InResult r) b.Append(r.Test(value!.GetValue(i)));
                else b.Append(result);
            }
        }
        finally
        {
            Outer.Value = saved;
        }
        return b.Build();
    }

    /// <summary>A correlated subquery's results by outer values, kept for the query (see <see cref="QueryContext.Memo"/>).</summary>
    private sealed class SubqueryMemo
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<RowKey, object?> Results = new();
        public int Count;
    }

    /// <summary>The rows of an IN subquery, tested with SQL's three-valued logic.</summary>
    private sealed record InResult(HashSet<RowKey> Values, bool HasNull)
    {
        // NULL IN (no rows) is false; NULL IN (any rows, NULLs included) is NULL.
        public bool? Test(object? v) => v is null ? (Values.Count == 0 && !HasNull ? false : null)
            : Values.Contains(new RowKey([v])) ? true : HasNull ? null : false;
    }

    private static object? Run(CorrelatedSubquery q)
    {
        var rows = new List<object?>();
        // Each run obeys the enclosing query's cancellation (its timeout, Ctrl-C) and memory limit.
        var outer = QueryContext.Current;
        outer?.Cancel.ThrowIfCancellationRequested();
        foreach (var b in Executor.Results(q.Plan, new QueryContext(outer?.Cancel ?? CancellationToken.None, threads: 1, memoryLimit: outer?.MemoryLimit, tempDirectory: outer?.TempDirectory,
            disabledRules: outer?.DisabledRules)))
        {
            for (int r = 0; r < b.Length; r++)
            {
                if (q.Kind == SubqueryKind.Exists) return true;
                rows.Add(b.Columns[0].GetValue(r));
                if (q.Kind == SubqueryKind.Scalar && rows.Count > 1)
                    throw new Errors.QueryLakeException("QL-SUBQUERY-ROWS", "a correlated scalar subquery returned more than one row for an outer row");
            }
        }
        return q.Kind switch
        {
            SubqueryKind.Exists => false,
            SubqueryKind.Scalar => rows.Count == 0 ? null : rows[0],
            _ => new InResult(rows.Where(v => v is not null).Select(v => new RowKey([v])).ToHashSet(), rows.Any(v => v is null)),
        };
    }

    /// <summary>The positions (into <paramref name="rows"/> when given) of a batch's rows whose value of
    /// <paramref name="e"/> can be among the best <paramref name="keep"/>, found by the function's fused
    /// <see cref="Functions.TopKernel"/> without computing every value; false when <paramref name="e"/> has none for
    /// these arguments (the caller evaluates and narrows).</summary>
    public static bool TryTop(BoundExpr e, RecordBatch batch, int[]? rows, int keep, bool descending, out int[]? candidates)
    {
        candidates = null;
        if (e is not Call { Top: { } top } c || !c.Args.All(a => a is ColumnRef or Literal)) return false;
        var args = c.Args.Select(a => a is ColumnRef r ? batch.Columns[r.Index]
            : Vectors.Broadcast(a.Type, ((Literal)a).Value, c.Function.AcceptsConstants ? 1 : batch.Length)).ToList();
        return top(args, batch.Length, rows, keep, descending, out candidates);
    }

    /// <summary>Evaluates an expression for the selected <paramref name="rows"/> of a batch (the rows a filter kept)
    /// without gathering the batch first: columns are gathered only where an expression reads them, and a function
    /// with a <see cref="Functions.SelectedKernel"/> (a similarity search) reads the selected rows in place.</summary>
    public static ArrowArray EvaluateSelected(BoundExpr e, RecordBatch batch, int[] rows)
    {
        switch (e)
        {
            case ColumnRef c:
                return Gather.Rows(batch.Columns[c.Index], rows);
            case Literal l:
                return Vectors.Broadcast(l.Type, l.Value, rows.Length);
            case Call { Selected: { } selected } c when c.Args.All(a => a is ColumnRef or Literal):
                return selected(c.Args.Select(a => a is ColumnRef r ? batch.Columns[r.Index]
                    : Vectors.Broadcast(a.Type, ((Literal)a).Value, c.Function.AcceptsConstants ? 1 : batch.Length)).ToList(), rows);
            case Call c:
                return Invoke(c, a => EvaluateSelected(a, batch, rows), rows.Length);
            case Cast c:
                return CastKernel.Cast(EvaluateSelected(c.Value, batch, rows), c.Target, c.Try);
            default:
            {
                // Anything else runs over a batch of the selected rows: the columns it reads are gathered, the others
                // are left as unread placeholders of the right length.
                var used = ExpressionRewriter.Columns(e).ToHashSet();
                var columns = batch.Columns.Select((col, i) => used.Contains(i) ? Gather.Rows(col, rows) : col.Slice(0, rows.Length)).ToList();
                return Evaluate(e, new RecordBatch(batch.Schema, columns, rows.Length));
            }
        }
    }

    /// <summary>Evaluates a predicate and returns the indices of rows where it is true (NULL counts as false). Every
    /// intermediate result dies here, so large ones are scratch buffers reused across batches (<see cref="ScratchScope"/>).</summary>
    public static int[] Select(BoundExpr predicate, RecordBatch batch)
    {
        using var scratch = ScratchScope.Open();
        return SelectRows(predicate, batch);
    }

    private static int[] SelectRows(BoundExpr predicate, RecordBatch batch)
    {
        // An AND chain narrows step by step: each conjunct runs only on the rows the ones before it kept (a row is
        // kept only when every conjunct is true, so FALSE or NULL anywhere drops it either way).
        var conjuncts = ExpressionRewriter.Conjuncts(predicate).ToList();
        if (conjuncts.Count > 1)
        {
            var rows = SelectRows(conjuncts[0], batch);
            for (int c = 1; c < conjuncts.Count && rows.Length > 0; c++)
            {
                var mask = (BooleanArray)EvaluateSelected(conjuncts[c], batch, rows);
                rows = Kept(mask, rows.Length) is var kept && kept.Length == rows.Length ? rows : kept.Select(k => rows[k]).ToArray();
            }
            return rows;
        }
        return Kept((BooleanArray)Evaluate(predicate, batch), batch.Length);
    }

    /// <summary>The indices where a mask is true (NULL counts as false): the value and validity bitmaps are combined 64
    /// rows at a time, and only set bits are visited.</summary>
    private static int[] Kept(BooleanArray mask, int length)
    {
        var data = mask.Data;
        var values = data.Buffers[1].Span;
        var valid = mask.NullCount == 0 ? ReadOnlySpan<byte>.Empty : data.Buffers[0].Span;
        int offset = data.Offset, words = (length + 63) >> 6;
        static ulong Word(ReadOnlySpan<byte> values, ReadOnlySpan<byte> valid, int offset, int length, int w)
        {
            ulong v = Columnar.Memory.BitUtil.Word(values, offset + (w << 6));
            if (!valid.IsEmpty) v &= Columnar.Memory.BitUtil.Word(valid, offset + (w << 6));
            int rest = length - (w << 6);
            return rest >= 64 ? v : v & ((1UL << rest) - 1);
        }
        // Two passes (count, then fill) so the only allocation is the exact result: batch-sized scratch buffers
        // cost more in first touches of fresh pages than the second pass does.
        int count = 0;
        for (int w = 0; w < words; w++) count += System.Numerics.BitOperations.PopCount(Word(values, valid, offset, length, w));
        if (count == length) return length == 0 ? [] : Enumerable.Range(0, length).ToArray();
        var result = new int[count];
        for (int w = 0, k = 0; w < words && k < count; w++)
            for (ulong v = Word(values, valid, offset, length, w); v != 0; v &= v - 1)
                result[k++] = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(v);
        return result;
    }
}
