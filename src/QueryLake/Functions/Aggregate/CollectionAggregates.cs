using System.Text;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Kernels;

namespace QueryLake.Functions.Aggregate;

/// <summary>string_agg, list (array_agg), arg_min/arg_max, bool_and/bool_or, first and any_value.</summary>
internal static class CollectionAggregates
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(new AggregateFunction("string_agg", "string_agg(x [, separator])", "Concatenates the non-NULL values, separated by separator (default ',').", "SELECT string_agg(label, ', ') FROM scenes",
            t => t.Count is 1 or 2 ? new AggregateResolution(DataType.Utf8, () => new StringAggState(), t.Count == 1 ? [DataType.Utf8] : [DataType.Utf8, DataType.Utf8]) : null));
        foreach (var n in new[] { "list", "array_agg" })
            r.Add(new AggregateFunction(n, $"{n}(x)", "All values of the group as a list, NULLs included, in input order.", $"SELECT {n}(id) FROM scenes",
                t => t.Count == 1 && t[0] is not NullType ? new AggregateResolution(DataType.List(TypeRules.Kept(t[0])), () => new ListState(TypeRules.Kept(t[0])), [TypeRules.Kept(t[0])]) : null) { KeepsNulls = true });
        foreach (var (n, max) in new[] { ("arg_min", false), ("arg_max", true) })
            r.Add(new AggregateFunction(n, $"{n}(x, by)", $"The x of the row with the {(max ? "largest" : "smallest")} non-NULL by.", $"SELECT {n}(scene_id, brightness) FROM scenes",
                t => t.Count == 2 ? new AggregateResolution(TypeRules.Kept(t[0]), () => new ArgState(TypeRules.Kept(t[0]), max), [TypeRules.Kept(t[0]), TypeRules.Logical(t[1])]) : null));
        foreach (var (n, and) in new[] { ("bool_and", true), ("bool_or", false) })
            r.Add(new AggregateFunction(n, $"{n}(x)", and ? "True when every non-NULL value is true." : "True when any non-NULL value is true.", $"SELECT {n}(is_night) FROM scenes",
                t => t.Count == 1 && t[0].Id is TypeId.Boolean or TypeId.Null ? new AggregateResolution(DataType.Boolean, () => new BoolState(and), [DataType.Boolean]) : null) { IgnoresDuplicates = true });
        r.Add(new AggregateFunction("first", "first(x)", "The value of the group's first row in input order, NULL included (as DuckDB's first).", "SELECT first(label) FROM scenes",
            t => t.Count == 1 ? new AggregateResolution(TypeRules.Kept(t[0]), () => new FirstState(TypeRules.Kept(t[0])), [TypeRules.Kept(t[0])]) : null) { KeepsNulls = true });
        r.Add(new AggregateFunction("approx_count_distinct", "approx_count_distinct(x)",
            "About how many distinct non-NULL values x takes: a HyperLogLog sketch of 1,024 registers (about 3% error), the one lake files keep per column.",
            "SELECT approx_count_distinct(label) FROM scenes",
            t => t.Count == 1 ? new AggregateResolution(DataType.Int64, () => new ApproxDistinctState(), [TypeRules.Logical(t[0])]) : null) { IgnoresDuplicates = true });
        r.Add(new AggregateFunction("any_value", "any_value(x)", "Some non-NULL value of the group (the first met).", "SELECT any_value(label) FROM scenes",
            t => t.Count == 1 ? new AggregateResolution(TypeRules.Kept(t[0]), () => new AnyState(TypeRules.Kept(t[0])), [TypeRules.Kept(t[0])]) : null) { IgnoresDuplicates = true });
    }

    private sealed class StringAggState : AggregateState
    {
        private readonly List<StringBuilder?> _text = [];
        private string? _separator;

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            var x = (BinaryArray)inputs[0];
            for (int i = 0; i < groups.Length; i++)
            {
                while (_text.Count <= groups[i]) _text.Add(null);
                if (x.IsNull(i)) continue;
                var sep = inputs.Count > 1 ? ((BinaryArray)inputs[1]).GetString(i) ?? "" : ",";
                _separator ??= sep;
                var sb = _text[groups[i]];
                var value = x.GetString(i)!;
                if (sb is null) { _text[groups[i]] = new StringBuilder(value); _held += 64; }
                else sb.Append(sep).Append(value);
                _held += 2L * (value.Length + sep.Length);
            }
        }

        private long _held;

        public override long HeldBytes => _held;

        public override ArrowArray Finish(int groupCount) =>
            ArrayBuilder.Build(DataType.Utf8, Enumerable.Range(0, groupCount).Select(g => (object?)(g < _text.Count ? _text[g]?.ToString() : null)));
    }

    private sealed class ListState(DataType type) : AggregateState
    {
        private readonly List<List<object?>> _items = [];

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            for (int i = 0; i < groups.Length; i++)
            {
                while (_items.Count <= groups[i]) { _items.Add([]); _held += 56; }
                var value = inputs[0].GetValue(i);
                _items[groups[i]].Add(value);
                _held += 8 + SizeOf(value);
            }
        }

        private long _held;

        public override long HeldBytes => _held;

        public override ArrowArray Finish(int groupCount) =>
            ArrayBuilder.Build(DataType.List(type), Enumerable.Range(0, groupCount).Select(g => g < _items.Count && _items[g].Count > 0 ? (object?)_items[g].ToArray() : null));
    }

    private sealed class ArgState(DataType type, bool max) : AggregateState
    {
        private readonly List<(object? Value, object? By)> _best = [];

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            for (int i = 0; i < groups.Length; i++)
            {
                while (_best.Count <= groups[i]) _best.Add((null, null));
                if (inputs[1].IsNull(i)) continue;
                var by = inputs[1].GetValue(i)!;
                var current = _best[groups[i]].By;
                int c = current is null ? (max ? 1 : -1) : Comparer.Values(by, current);
                if (max ? c > 0 : c < 0) _best[groups[i]] = (inputs[0].GetValue(i), by);
            }
        }

        public override ArrowArray Finish(int groupCount) =>
            ArrayBuilder.Build(type, Enumerable.Range(0, groupCount).Select(g => g < _best.Count ? _best[g].Value : null));
    }

    private sealed class BoolState(bool and) : AggregateState
    {
        private readonly List<bool?> _value = [];

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            var x = (BooleanArray)inputs[0];
            for (int i = 0; i < groups.Length; i++)
            {
                while (_value.Count <= groups[i]) _value.Add(null);
                if (x.IsNull(i)) continue;
                bool v = x.GetBoolean(i);
                var cur = _value[groups[i]];
                _value[groups[i]] = cur is null ? v : and ? cur.Value && v : cur.Value || v;
            }
        }

        public override ArrowArray Finish(int groupCount) =>
            ArrayBuilder.Build(DataType.Boolean, Enumerable.Range(0, groupCount).Select(g => g < _value.Count ? (object?)_value[g] : null));
    }

    private sealed class FirstState(DataType type) : AggregateState
    {
        private readonly List<object?> _value = [];
        private readonly List<bool> _seen = [];

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            for (int i = 0; i < groups.Length; i++)
            {
                int g = groups[i];
                while (_seen.Count <= g) { _seen.Add(false); _value.Add(null); }
                if (_seen[g]) continue;
                _seen[g] = true;
                _value[g] = inputs[0].IsValid(i) ? inputs[0].GetValue(i) : null;
            }
        }

        public override ArrowArray Finish(int groupCount) =>
            ArrayBuilder.Build(type, Enumerable.Range(0, groupCount).Select(g => g < _value.Count ? _value[g] : null));
    }

    private sealed class AnyState(DataType type) : AggregateState
    {
        private readonly List<object?> _value = [];

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            for (int i = 0; i < groups.Length; i++)
            {
                while (_value.Count <= groups[i]) _value.Add(null);
                if (_value[groups[i]] is null && inputs[0].IsValid(i)) _value[groups[i]] = inputs[0].GetValue(i);
            }
        }

        public override ArrowArray Finish(int groupCount) =>
            ArrayBuilder.Build(type, Enumerable.Range(0, groupCount).Select(g => g < _value.Count ? _value[g] : null));
    }

    private sealed class ApproxDistinctState : AggregateState
    {
        private readonly List<Columnar.Statistics.HyperLogLog?> _sketches = [];

        public override bool KeepsInputs => false;

        public override void Update(ReadOnlySpan<int> groups, IReadOnlyList<ArrowArray> inputs)
        {
            var x = inputs[0];
            for (int i = 0; i < groups.Length; i++)
            {
                while (_sketches.Count <= groups[i]) _sketches.Add(null);
                if (x.IsNull(i)) continue;
                (_sketches[groups[i]] ??= new Columnar.Statistics.HyperLogLog()).Add(Columnar.Statistics.HyperLogLog.Hash(x.GetValue(i)));
            }
        }

        public override ArrowArray Finish(int groupCount) =>
            ArrayBuilder.Build(DataType.Int64, Enumerable.Range(0, groupCount).Select(g => (object?)(g < _sketches.Count && _sketches[g] is { } s ? s.Estimate() : 0L)));
    }
}
