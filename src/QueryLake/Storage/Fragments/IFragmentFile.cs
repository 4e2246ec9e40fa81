namespace QueryLake.Storage.Fragments;

/// <summary>An open data file of a fragment, in either tier: its batches (row groups in a cold Parquet file) by index,
/// a column at a time.</summary>
internal interface IFragmentFile
{
    /// <summary>Rows in batch <paramref name="index"/>.</summary>
    int BatchLength(int index);

    /// <summary>Column <paramref name="column"/> (by its position in the file) of batch <paramref name="index"/>.</summary>
    Columnar.Arrays.ArrowArray Column(int index, int column);
}
