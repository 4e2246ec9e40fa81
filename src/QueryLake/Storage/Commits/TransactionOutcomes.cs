using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using QueryLake.Storage.Paths;

namespace QueryLake.Storage.Commits;

/// <summary>
/// The commit points of transactions that span several datasets: <c>_transactions/&lt;id&gt;.json</c> in the lake,
/// created if absent with <c>{"state": "committed" | "aborted", "atMicros": …}</c>. A manifest that names a transaction
/// (<c>"transaction": id</c>) is visible once that file says committed, and never if it says aborted; while it is absent
/// the transaction is pending and its manifests are invisible. Whoever creates the file first decides: the transaction
/// itself commits, and a writer that finds a pending transaction blocking it waits briefly, then aborts it.
/// </summary>
internal sealed class TransactionOutcomes(Stores.LakeStorage storage)
{
    /// <summary>How long a writer waits for a pending transaction to reach its commit point before aborting it.</summary>
    public static readonly TimeSpan PendingWait = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (bool Committed, long AtMicros)> _decided = new();

    private string Folder => Path.Combine(storage.Root, "_transactions");

    private string FileOf(string id) => Path.Combine(Folder, LakeNames.Check(id, "transaction") + ".json");

    /// <summary>The decided outcome of <paramref name="id"/>, or null while it is pending.</summary>
    public (bool Committed, long AtMicros)? Outcome(string id)
    {
        if (_decided.TryGetValue(id, out var known)) return known;
        var path = FileOf(id);
        if (storage.TryReadAll(path) is not { } bytes) return null;
        var text = Encoding.UTF8.GetString(bytes);
        bool committed = text.Contains("\"committed\"", StringComparison.Ordinal);
        var at = System.Text.RegularExpressions.Regex.Match(text, "\"atMicros\"\\s*:\\s*([0-9]+)");
        var outcome = (committed, at.Success ? long.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture) : 0L);
        _decided[id] = outcome;
        return outcome;
    }

    /// <summary>Whether a manifest of transaction <paramref name="id"/> is visible to a reader whose snapshot was taken at
    /// <paramref name="snapshotMicros"/> (null: now): committed, at or before that time.</summary>
    public bool Visible(string id, long? snapshotMicros) =>
        Outcome(id) is { Committed: true } o && (snapshotMicros is not { } at || o.AtMicros <= at);

    /// <summary>Decides <paramref name="id"/> (create-if-absent); returns the outcome that holds, which is another
    /// one when someone decided first.</summary>
    public (bool Committed, long AtMicros) Decide(string id, bool commit)
    {
        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        var body = Encoding.UTF8.GetBytes($"{{\"state\": \"{(commit ? "committed" : "aborted")}\", \"atMicros\": {now.ToString(CultureInfo.InvariantCulture)}}}\n");
        if (storage.TryCreate(FileOf(id), body)) return _decided[id] = (commit, now);
        return Outcome(id) ?? throw new Errors.LakeException("QL-CORRUPT", $"transaction {id}: its outcome file exists but cannot be read");
    }

    /// <summary>Waits up to <see cref="PendingWait"/> for a pending transaction to decide, then aborts it.</summary>
    public (bool Committed, long AtMicros) Resolve(string id)
    {
        var until = DateTime.UtcNow + PendingWait;
        while (DateTime.UtcNow < until)
        {
            if (Outcome(id) is { } o) return o;
            Thread.Sleep(10);
        }
        return Decide(id, commit: false);
    }
}
