using QueryLake.Columnar;
using QueryLake.Columnar.Interop;
using A = Apache.Arrow;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>The scanned columns of Apache.Arrow batches as engine batches (<see cref="ArrowSource"/>,
/// <see cref="DuckDbSource"/>): each column converted (<see cref="ApacheArrowConvert.FromApache(A.ArrayData, Columnar.Types.DataType, bool)"/>,
/// copied when <paramref name="copy"/>) under the batches' own types, then given the engine's
/// (<see cref="Kernels.Vectors.ForEngine"/>).</summary>
internal sealed class ArrowProjection(Schema engine, Schema arrow, IReadOnlyList<string> columns, bool copy)
{
    private readonly int[] _indices = columns.Select(engine.IndexOf).ToArray();
    private readonly Schema _projected = new(columns.Select(c => engine.Fields[engine.IndexOf(c)]).ToList());
    private readonly Schema _stored = new(columns.Select(c => arrow.Fields[engine.IndexOf(c)]).ToList());

    public RecordBatch Take(A.RecordBatch batch)
    {
        var arrays = new Columnar.Arrays.ArrowArray[_indices.Length];
        for (int k = 0; k < _indices.Length; k++)
            arrays[k] = Columnar.Arrays.ArrowArray.FromData(ApacheArrowConvert.FromApache(batch.Column(_indices[k]).Data, _stored.Fields[k].DataType, copy));
        return Kernels.Vectors.ForEngine(new RecordBatch(_stored, arrays, batch.Length), _projected);
    }
}
