using System.Runtime.ExceptionServices;
using QueryLake.Execution;

namespace QueryLake.Onnx.Functions;

/// <summary>What a model kernel takes from the running query: its threads (<c>SET threads</c>) and cancellation.</summary>
internal static class KernelContext
{
    /// <summary>Rows scored per model run: a record batch is cut into runs of this many rows, which bounds the memory a
    /// run holds (32 images of 3 × 224 × 224 floats are 19 MB) while still giving the runtime whole batches.</summary>
    public const int RowsPerRun = 32;

    public static int Threads => QueryContext.Current?.Threads ?? Environment.ProcessorCount;

    public static CancellationToken Cancel => QueryLake.Functions.Scalar.RowMapped.Cancellation;

    /// <summary>Runs <paramref name="body"/> for 0 … count-1 on up to <paramref name="threads"/> threads, with the first
    /// error thrown as itself (not wrapped).</summary>
    public static void ForEach(int count, int threads, CancellationToken cancel, Action<int> body)
    {
        if (count <= 1 || threads <= 1) { for (int i = 0; i < count; i++) { cancel.ThrowIfCancellationRequested(); body(i); } return; }
        try
        {
            System.Threading.Tasks.Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
