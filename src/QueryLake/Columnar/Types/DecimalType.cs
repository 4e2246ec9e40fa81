namespace QueryLake.Columnar.Types;

/// <summary>
/// DECIMAL(p, s): exact numbers of up to <see cref="Precision"/> significant digits, <see cref="Scale"/> of them after
/// the point, stored as Arrow's decimal128 (a 128-bit two's-complement integer, the value times 10^s). Values read
/// as <see cref="decimal"/> in .NET.
/// </summary>
public sealed class DecimalType : DataType
{
    /// <summary>The most digits a DECIMAL holds.</summary>
    public const int MaxPrecision = 38;

    /// <summary>Creates DECIMAL(<paramref name="precision"/>, <paramref name="scale"/>).</summary>
    public DecimalType(int precision, int scale)
    {
        if (precision is < 1 or > MaxPrecision) throw new ArgumentOutOfRangeException(nameof(precision), $"DECIMAL precision must be 1 to {MaxPrecision}, not {precision}");
        if (scale < 0 || scale > precision) throw new ArgumentOutOfRangeException(nameof(scale), $"DECIMAL scale must be 0 to the precision ({precision}), not {scale}");
        Precision = precision;
        Scale = scale;
    }

    /// <summary>Significant digits.</summary>
    public int Precision { get; }

    /// <summary>Digits after the decimal point.</summary>
    public int Scale { get; }

    /// <inheritdoc />
    public override TypeId Id => TypeId.Decimal128;

    /// <inheritdoc />
    public override bool Equals(DataType? other) => other is DecimalType d && d.Precision == Precision && d.Scale == Scale;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Precision, Scale);

    /// <inheritdoc />
    public override string ToString() => $"decimal({Precision}, {Scale})";
}
