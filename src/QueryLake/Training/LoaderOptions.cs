namespace QueryLake.Training;

/// <summary>Settings of a <see cref="TrainingLoader"/>.</summary>
public sealed record LoaderOptions
{
    /// <summary>Samples per batch (the last batch of an epoch may be smaller).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>How samples are ordered within an epoch.</summary>
    public ShuffleMode Shuffle { get; init; } = ShuffleMode.Full;

    /// <summary>Samples held by the <see cref="ShuffleMode.Buffer"/> shuffle.</summary>
    public int BufferSize { get; init; } = 10_000;

    /// <summary>The seed: with the epoch, it fixes the order on any machine.</summary>
    public long Seed { get; init; }

    /// <summary>The epoch: each epoch has its own order.</summary>
    public int Epoch { get; init; }

    /// <summary>This worker's shard, 0 ≤ ShardIndex &lt; ShardCount.</summary>
    public int ShardIndex { get; init; }

    /// <summary>How many workers share the epoch; each sample goes to exactly one.</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>Batches prepared ahead in the background (memory is bounded by this many batches).</summary>
    public int Prefetch { get; init; } = 2;
}
