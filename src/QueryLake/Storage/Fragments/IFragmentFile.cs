namespace QueryLake.Storage.Fragments;

/// <summary>An open data file of a fragment, in either tier: its batches (row groups in a cold Parquet file) by index,
/// a column at a time.</summary>
internal interface IFragmentFile
{
    /// <summary>Rows in batch <paramref name="index"/>.</summary>
    int BatchLength(int index);

    /// <summary>Column <paramref name="column"/> (by its position in the file) of batch <paramref name="index"/>.</summary>
    Columnar.Arrays.ArrowArray Column(int index, int column);

    /// <summary>Rows <paramref name="rows"/> (ascending) of that column, in that order: a take, which a file read by
    /// ranges serves by reading only those rows' bytes where it can.</summary>
    Columnar.Arrays.ArrowArray Rows(int index, int column, int[] rows) => Kernels.Gather.Rows(Column(index, column), rows);
}
