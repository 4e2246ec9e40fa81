namespace QueryLake.Training;

/// <summary>How a <see cref="TrainingLoader"/> orders samples within an epoch.</summary>
public enum ShuffleMode
{
    /// <summary>Query order.</summary>
    None,

    /// <summary>A full permutation per epoch (the rows are held in memory).</summary>
    Full,

    /// <summary>A bounded shuffle buffer (streaming, memory bounded by <see cref="LoaderOptions.BufferSize"/>).</summary>
    Buffer,
}
