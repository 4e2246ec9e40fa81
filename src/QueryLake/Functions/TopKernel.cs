using QueryLake.Columnar.Arrays;

namespace QueryLake.Functions;

/// <summary>Finds, for full-length argument arrays (a one-row argument is a constant) or their selected
/// <paramref name="rows"/>, the positions (into <paramref name="rows"/> when given, ascending) whose value can be among
/// the best <paramref name="keep"/> (highest when <paramref name="descending"/>), NULLs included, without materializing
/// the value of every row: the key of an ORDER BY … LIMIT k computed and narrowed in one pass (a similarity search,
/// see <see cref="Kernels.BestRows{T}"/>). Returns false when these arguments take the ordinary kernel; null candidates
/// mean every row can be among the best.</summary>
internal delegate bool TopKernel(IReadOnlyList<ArrowArray> args, int length, int[]? rows, int keep, bool descending, out int[]? candidates);
