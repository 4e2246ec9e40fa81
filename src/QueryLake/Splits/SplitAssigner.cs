using System.Globalization;
using System.Text;
using QueryLake.Columnar.Arrays;

namespace QueryLake.Splits;

/// <summary>
/// Assigns split units (a row, or a group of rows sharing a GROUP BY key) to parts. Each unit draws
/// u = SplitMix64(seed ⊕ FNV-1a(unit key)) in [0, 1); within each stratum, units in order of u fill the parts in
/// order, with counts by largest-remainder rounding of the percentages. A refresh keeps every assigned unit where it
/// is and gives new units, in order of u, to the parts furthest below their target. The key text is canonical, so the
/// same seed and data give the same split on any machine.
/// </summary>
internal static class SplitAssigner
{
    /// <summary>A unit: its key, its stratum, its draw.</summary>
    public readonly record struct Unit(string Key, string Stratum, double Draw);

    /// <summary>The canonical text of a value, for unit keys and strata.</summary>
    public static string Canonical(object? v) => v switch
    {
        null => "\u2400",
        string s => "s:" + s,
        bool b => b ? "b:1" : "b:0",
        double d => "n:" + d.ToString("R", CultureInfo.InvariantCulture),
        float f => "n:" + ((double)f).ToString("R", CultureInfo.InvariantCulture),
        long or int or short or sbyte or byte or ushort or uint or ulong => "n:" + Convert.ToString(v, CultureInfo.InvariantCulture),
        DateTime t => "t:" + t.Ticks.ToString(CultureInfo.InvariantCulture),
        DateOnly d => "d:" + d.DayNumber.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => "x:" + Convert.ToBase64String(bytes),
        object?[] items => "[" + string.Join("\u001f", items.Select(Canonical)) + "]",
        Dictionary<string, object?> st => "{" + string.Join("\u001f", st.Select(kv => kv.Key + "=" + Canonical(kv.Value))) + "}",
        _ => "o:" + Convert.ToString(v, CultureInfo.InvariantCulture),
    };

    /// <summary>The key of row <paramref name="r"/>: the GROUP BY value, else all of the row's values.</summary>
    public static string RowKey(IReadOnlyList<ArrowArray> columns, int r, ArrowArray? key) =>
        key is not null ? Canonical(key.GetValue(r)) : string.Join("\u001e", columns.Select(c => Canonical(c.GetValue(r))));

    public static double Draw(long seed, string key)
    {
        ulong h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(key)) { h ^= b; h = unchecked(h * 1099511628211UL); }
        ulong z = unchecked(h ^ (ulong)seed * 0x9E3779B97F4A7C15UL);
        z = unchecked(z + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Counts per part for <paramref name="units"/> units: floors of the exact shares, then one more to the
    /// parts with the largest remainders (ties: the earlier part).</summary>
    public static long[] Targets(IReadOnlyList<SplitPart> parts, long units)
    {
        var exact = parts.Select(p => units * p.Percent / 100).ToArray();
        var counts = exact.Select(e => (long)Math.Floor(e + 1e-9)).ToArray();
        long left = units - counts.Sum();
        foreach (int i in Enumerable.Range(0, parts.Count).OrderByDescending(i => exact[i] - counts[i]).ThenBy(i => i).Take((int)Math.Max(0, left))) counts[i]++;
        return counts;
    }

    /// <summary>Assigns <paramref name="units"/>: existing assignments stay; the rest go by stratum and draw.</summary>
    public static Dictionary<string, int> Assign(IReadOnlyList<SplitPart> parts, IEnumerable<Unit> units, IReadOnlyDictionary<string, int>? existing = null)
    {
        var result = existing is null ? new Dictionary<string, int>(StringComparer.Ordinal) : new Dictionary<string, int>(existing, StringComparer.Ordinal);
        foreach (var stratum in units.GroupBy(u => u.Stratum, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var all = stratum.ToList();
            var targets = Targets(parts, all.Count);
            var have = new long[parts.Count];
            foreach (var u in all) if (existing is not null && existing.TryGetValue(u.Key, out int p)) have[p]++;
            foreach (var u in all.Where(u => !result.ContainsKey(u.Key)).OrderBy(u => u.Draw).ThenBy(u => u.Key, StringComparer.Ordinal))
            {
                int best = 0;
                for (int p = 1; p < parts.Count; p++) if (targets[p] - have[p] > targets[best] - have[best]) best = p;
                result[u.Key] = best;
                have[best]++;
            }
        }
        return result;
    }
}
