using QueryLake.Columnar.Arrays;

namespace QueryLake.Functions;

/// <summary>Evaluates a scalar function over equal-length argument arrays, producing an array of <paramref name="length"/>.</summary>
internal delegate ArrowArray ScalarKernel(IReadOnlyList<ArrowArray> args, int length);
