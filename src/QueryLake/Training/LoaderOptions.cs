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

    /// <summary>These options with this process's shard of a distributed training job: <c>RANK</c> of <c>WORLD_SIZE</c>
    /// (torchrun, torch.distributed), else <c>SLURM_PROCID</c> of <c>SLURM_NTASKS</c> (srun), else shard 0 of 1. Every rank
    /// computes the same order from <see cref="Seed"/> and <see cref="Epoch"/>, so each sample goes to exactly one rank.</summary>
    /// <exception cref="Errors.QueryLakeException">QL-BAD-ARGUMENT: a variable that is set is not a valid rank or count.</exception>
    public LoaderOptions ForThisRank(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        foreach (var (rank, size) in new[] { ("RANK", "WORLD_SIZE"), ("SLURM_PROCID", "SLURM_NTASKS") })
        {
            string? r = environment(rank), n = environment(size);
            if (r is null && n is null) continue;
            if (!int.TryParse(r, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
                || !int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count)
                || count <= 0 || index >= count)
                throw new Errors.QueryLakeException("QL-BAD-ARGUMENT", $"{rank}={r ?? "(unset)"} and {size}={n ?? "(unset)"} do not name a shard: {rank} must be 0 to {size} − 1");
            return this with { ShardIndex = index, ShardCount = count };
        }
        return this with { ShardIndex = 0, ShardCount = 1 };
    }

    /// <summary>Batches prepared ahead in the background (memory is bounded by this many batches).</summary>
    public int Prefetch { get; init; } = 2;
}
