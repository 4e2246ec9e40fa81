using System.Text.Json;

namespace QueryLake.Columnar.Types;

/// <summary>
/// TENSOR: an n-dimensional array of a numeric dtype, row-major. A fixed shape uses Arrow's canonical
/// <c>arrow.fixed_shape_tensor</c> (storage <c>fixed_size_list&lt;dtype, product(shape)&gt;</c>); a variable
/// shape uses <c>arrow.variable_shape_tensor</c> (storage <c>struct&lt;data: list&lt;dtype&gt;, shape:
/// fixed_size_list&lt;int32, ndim&gt;&gt;</c>). So other Arrow tools understand QueryLake's tensors.
/// </summary>
public sealed class TensorType : ExtensionType
{
    /// <summary>Canonical name for fixed-shape tensors.</summary>
    public const string FixedShapeName = "arrow.fixed_shape_tensor";

    /// <summary>Canonical name for variable-shape tensors.</summary>
    public const string VariableShapeName = "arrow.variable_shape_tensor";

    /// <summary>A fixed-shape tensor type.</summary>
    public TensorType(PrimitiveType dtype, IReadOnlyList<int> shape)
    {
        if (!dtype.IsNumeric) throw new ArgumentException($"tensor dtype must be numeric, not {dtype}");
        if (shape.Any(d => d < 0)) throw new ArgumentException("tensor dimensions must be non-negative");
        DType = dtype;
        Shape = shape.ToArray();
        Rank = Shape.Count;
        long size = 1;
        foreach (var d in Shape) size = checked(size * d);
        StorageType = FixedSizeList(dtype, checked((int)size), nullable: false);
    }

    /// <summary>A variable-shape tensor type of the given rank.</summary>
    public TensorType(PrimitiveType dtype, int rank)
    {
        if (!dtype.IsNumeric) throw new ArgumentException($"tensor dtype must be numeric, not {dtype}");
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        DType = dtype;
        Rank = rank;
        StorageType = Struct(new Field("data", List(dtype, nullable: false), false),
            new Field("shape", FixedSizeList(Int32, rank, nullable: false), false));
    }

    /// <summary>The element type.</summary>
    public PrimitiveType DType { get; }

    /// <summary>The fixed shape, or null when the shape varies per value.</summary>
    public IReadOnlyList<int>? Shape { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank { get; }

    /// <inheritdoc />
    public override string ExtensionName => Shape is null ? VariableShapeName : FixedShapeName;

    /// <inheritdoc />
    public override string ExtensionMetadata => Shape is null ? "{}" : JsonSerializer.Serialize(new { shape = Shape });

    /// <inheritdoc />
    public override DataType StorageType { get; }

    internal static TensorType? TryFromStorage(string name, string metadata, DataType storage)
    {
        try
        {
            if (name == FixedShapeName && storage is FixedSizeListType { ValueType: PrimitiveType p } f && p.IsNumeric)
            {
                using var doc = JsonDocument.Parse(metadata);
                var shape = doc.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var t = new TensorType(p, shape);
                return t.StorageType.Equals(storage) ? t : null;
            }
            if (name == VariableShapeName && storage is StructType s && s.IndexOf("data") == 0 &&
                s.Fields[0].DataType is ListType { ValueType: PrimitiveType dp } && dp.IsNumeric &&
                s.Fields.Count == 2 && s.Fields[1].DataType is FixedSizeListType { ValueType.Id: TypeId.Int32 } sh)
                return new TensorType(dp, sh.ListSize);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
        }
        return null;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Shape is null ? $"tensor<{DType}, rank {Rank}>" : $"tensor<{DType}, [{string.Join(", ", Shape)}]>";
}
