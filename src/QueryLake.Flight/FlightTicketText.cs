using System.Globalization;
using System.Text.RegularExpressions;

namespace QueryLake.Flight;

/// <summary>
/// What a ticket asks for. A ticket's bytes are the UTF-8 text of one query, so any Flight client reads with no
/// QueryLake code. A query may end with a training-shard clause,
/// <c>SHARD i OF n [SEED s] [EPOCH e] [BATCH b]</c>, which returns exactly worker <c>i</c>'s share of the epoch's
/// shuffled rows, as <see cref="Training.TrainingLoader"/> deals them (every row to exactly one worker; the order fixed
/// by the seed and the epoch on any machine).
/// </summary>
internal sealed partial record FlightTicketText(string Sql, Training.LoaderOptions? Shard)
{
    [GeneratedRegex(@"\s+SHARD\s+(?<i>\d+)\s+OF\s+(?<n>\d+)(\s+SEED\s+(?<seed>-?\d+))?(\s+EPOCH\s+(?<epoch>\d+))?(\s+BATCH\s+(?<batch>\d+))?\s*;?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ShardClause();

    public static FlightTicketText Parse(string text)
    {
        var m = ShardClause().Match(text);
        if (!m.Success) return new FlightTicketText(text, null);
        static int Int(Group g, int fallback) => g.Success ? int.Parse(g.Value, CultureInfo.InvariantCulture) : fallback;
        var options = new Training.LoaderOptions
        {
            ShardIndex = Int(m.Groups["i"], 0),
            ShardCount = Int(m.Groups["n"], 1),
            Seed = m.Groups["seed"].Success ? long.Parse(m.Groups["seed"].Value, CultureInfo.InvariantCulture) : 0,
            Epoch = Int(m.Groups["epoch"], 0),
            BatchSize = Int(m.Groups["batch"], 1024),
        };
        if (options.ShardCount < 1 || options.ShardIndex >= options.ShardCount)
            throw new Errors.QueryLakeException("QL-BAD-ARGUMENT", $"SHARD {options.ShardIndex} OF {options.ShardCount}: the shard must be 0 to {options.ShardCount - 1}");
        if (options.BatchSize < 1) throw new Errors.QueryLakeException("QL-BAD-ARGUMENT", "BATCH must be at least 1");
        return new FlightTicketText(text[..m.Index], options);
    }
}
