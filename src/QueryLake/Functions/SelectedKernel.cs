using QueryLake.Columnar.Arrays;

namespace QueryLake.Functions;

/// <summary>Evaluates a scalar function for the selected <paramref name="rows"/> of full-length argument arrays (a
/// one-row argument is a constant), producing an array of <c>rows.Length</c>: a kernel that reads the selected rows
/// in place instead of having them gathered first, such as a similarity scan behind a selective filter.</summary>
internal delegate ArrowArray SelectedKernel(IReadOnlyList<ArrowArray> args, int[] rows);
