namespace QueryLake.Gpu.Kernels;

/// <summary>The scalars of a scoring launch (<see cref="DeviceKernels.ScoreOne"/>, <see cref="DeviceKernels.ScoreTiles"/>).</summary>
internal struct ScoreShape
{
    /// <summary>Rows of the column.</summary>
    public int Count;

    /// <summary>Floats per row.</summary>
    public int Dims;

    /// <summary>0 cosine, 1 inner product, 2 L2 (<c>DistanceMetric</c>).</summary>
    public int Metric;

    /// <summary>1 when the mask names the candidates, 0 when every row is one.</summary>
    public int HasMask;

    /// <summary>Probes in this launch (tiles).</summary>
    public int Probes;

    /// <summary>The tile edge (tiles).</summary>
    public int Tile;

    /// <summary>Row tiles per probe tile (tiles).</summary>
    public int RowBlocks;

    /// <summary>1 when NaN distances are candidates before every other (key 0), 0 when they are excluded.</summary>
    public int NaNFirst;

    /// <summary>‖probe‖² (one probe).</summary>
    public float ProbeSquare;
}
