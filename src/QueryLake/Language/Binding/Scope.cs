using QueryLake.Columnar.Types;
using QueryLake.Language.Ast;

namespace QueryLake.Language.Binding;

/// <summary>A column visible to expressions: the relation it came from (its alias), its name and type.</summary>
internal sealed record ScopeColumn(string? Table, string Name, DataType Type, bool HiddenFromStar = false);

/// <summary>The columns an expression can name, in the order of the batches the plan produces.</summary>
internal sealed class Scope(IReadOnlyList<ScopeColumn> columns)
{
    public IReadOnlyList<ScopeColumn> Columns { get; } = columns;

    public static Scope Empty { get; } = new([]);

    public Scope Concat(Scope other) => new(Columns.Concat(other.Columns).ToList());

    public Scope WithTable(string? alias) => alias is null ? this : new(Columns.Select(c => c with { Table = alias }).ToList());

    /// <summary>Index of a column, or an error naming the problem, with a suggestion for a misspelling.</summary>
    public int Resolve(ColumnExpr col)
    {
        var parts = col.Parts;
        if (parts.Count > 2) throw new SqlException("QL-COLUMN-NOT-FOUND", col.At.Line, col.At.Column, $"'{col}' is not a column (nested field access is not supported yet)");
        string name = col.Name;
        string? table = col.Qualifier;
        var matches = new List<int>();
        for (int i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase) &&
                (table is null || string.Equals(Columns[i].Table, table, StringComparison.OrdinalIgnoreCase)))
                matches.Add(i);
        if (matches.Count == 1) return matches[0];
        if (matches.Count > 1)
        {
            // USING/NATURAL joins expose the column once: prefer the visible one.
            var visible = matches.Where(i => !Columns[i].HiddenFromStar).ToList();
            if (visible.Count == 1) return visible[0];
            throw new SqlException("QL-AMBIGUOUS-COLUMN", col.At.Line, col.At.Column,
                $"column '{col}' is ambiguous: it is in {string.Join(" and ", matches.Select(i => Columns[i].Table ?? "?").Distinct())}; qualify it, e.g. {Columns[matches[0]].Table}.{name}");
        }
        if (table is not null && !Columns.Any(c => string.Equals(c.Table, table, StringComparison.OrdinalIgnoreCase)))
            throw new SqlException("QL-TABLE-NOT-FOUND", col.At.Line, col.At.Column,
                $"no table or alias named '{table}' in FROM" + Suggest(table, Columns.Select(c => c.Table).OfType<string>().Distinct()));
        throw new SqlException("QL-COLUMN-NOT-FOUND", col.At.Line, col.At.Column,
            $"column '{col}' does not exist" + Suggest(name, Columns.Select(c => c.Name)));
    }

    public static string Suggest(string name, IEnumerable<string> candidates)
    {
        var best = candidates.Distinct().Select(c => (c, d: Storage.Lake.Levenshtein(c, name))).Where(x => x.d <= Math.Max(2, name.Length / 3)).OrderBy(x => x.d).FirstOrDefault();
        return best.c is null ? "" : $"; did you mean '{best.c}'?";
    }
}
