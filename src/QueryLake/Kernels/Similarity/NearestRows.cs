namespace QueryLake.Kernels.Similarity;

/// <summary>One probe's nearest rows: row indexes and their distances, nearest first (ties by row index).</summary>
internal sealed record NearestRows(int[] Rows, float[] Distances);
