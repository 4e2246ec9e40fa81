using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;

namespace QueryLake.Functions.Scalar;

/// <summary>Builds kernels from a per-row function over .NET values, for functions that are not (yet)
/// hand-vectorized. NULL in any argument gives NULL unless <c>nullAware</c>.</summary>
internal static class RowMapped
{
    public static ScalarKernel Kernel(DataType result, Func<object?[], object?> f, bool nullAware = false) => (args, n) =>
    {
        var b = ArrayBuilder.Create(result);
        var row = new object?[args.Count];
        for (int i = 0; i < n; i++)
        {
            bool anyNull = false;
            for (int a = 0; a < row.Length; a++)
            {
                row[a] = args[a].GetValue(i);
                anyNull |= row[a] is null;
            }
            b.Append(anyNull && !nullAware ? null : f(row));
        }
        return b.Build();
    };
}
