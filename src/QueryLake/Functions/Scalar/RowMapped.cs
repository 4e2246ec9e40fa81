using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;

namespace QueryLake.Functions.Scalar;

/// <summary>Builds kernels from a per-row function over .NET values, for functions that are not (yet)
/// hand-vectorized. NULL in any argument gives NULL unless <c>nullAware</c>. The query's cancellation (Ctrl-C, the
/// statement timeout) is checked before every row, since one row may be slow work (decoding an image), and the working
/// memory a row charged (<see cref="Execution.RowMemory"/>) is given back when it is done.</summary>
internal static class RowMapped
{
    /// <summary>The running query's cancellation, for per-row work that can pass it on (an image decoder).</summary>
    public static CancellationToken Cancellation => Execution.QueryContext.Current?.Cancel ?? CancellationToken.None;

    public static ScalarKernel Kernel(DataType result, Func<object?[], object?> f, bool nullAware = false) => (args, n) =>
    {
        var b = ArrayBuilder.Create(result);
        var row = new object?[args.Count];
        var cancel = Cancellation;
        for (int i = 0; i < n; i++)
        {
            cancel.ThrowIfCancellationRequested();
            bool anyNull = false;
            for (int a = 0; a < row.Length; a++)
            {
                row[a] = args[a].GetValue(i);
                anyNull |= row[a] is null;
            }
            long mark = Execution.RowMemory.Held;
            try { b.Append(anyNull && !nullAware ? null : f(row)); }
            finally { Execution.RowMemory.ReleaseTo(mark); }
        }
        return b.Build();
    };
}
