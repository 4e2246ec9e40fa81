namespace QueryLake.Columnar.Types;

/// <summary>
/// Arrow's decimal256(p, s) as an Arrow IPC file or stream stores it: 256-bit little-endian two's-complement integers
/// (the value times 10^s), 32 bytes each, so its storage is <c>fixed_size_binary[32]</c>. It appears only in the
/// schema of a file as read; the engine takes the column as <see cref="EngineType"/>: DECIMAL(p, s) when p ≤ 38 (each
/// value narrowed to 128 bits, a value wider than that is QL-OVERFLOW) and DOUBLE beyond, as the Parquet reader reads
/// decimals of more than 38 digits.
/// </summary>
public sealed class Decimal256Type : DataType
{
    /// <summary>The most digits a decimal256 holds.</summary>
    public const int MaxPrecision = 76;

    /// <summary>Bytes per value.</summary>
    public const int ByteWidth = 32;

    private static readonly FixedSizeBinaryType Storage = new(ByteWidth);

    /// <summary>Creates decimal256(<paramref name="precision"/>, <paramref name="scale"/>).</summary>
    public Decimal256Type(int precision, int scale)
    {
        if (precision is < 1 or > MaxPrecision) throw new ArgumentOutOfRangeException(nameof(precision), $"decimal256 precision must be 1 to {MaxPrecision}, not {precision}");
        if (scale < 0 || scale > precision) throw new ArgumentOutOfRangeException(nameof(scale), $"decimal256 scale must be 0 to the precision ({precision}), not {scale}");
        Precision = precision;
        Scale = scale;
    }

    /// <summary>Significant digits.</summary>
    public int Precision { get; }

    /// <summary>Digits after the decimal point.</summary>
    public int Scale { get; }

    /// <summary>The type the engine reads the column as: DECIMAL(p, s) up to 38 digits, DOUBLE beyond.</summary>
    public DataType EngineType => Precision <= DecimalType.MaxPrecision ? new DecimalType(Precision, Scale) : Float64;

    /// <inheritdoc />
    public override TypeId Id => TypeId.FixedSizeBinary;

    /// <inheritdoc />
    public override DataType StorageType => Storage;

    /// <inheritdoc />
    public override bool Equals(DataType? other) => other is Decimal256Type d && d.Precision == Precision && d.Scale == Scale;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(nameof(Decimal256Type), Precision, Scale);

    /// <inheritdoc />
    public override string ToString() => $"decimal256({Precision}, {Scale})";
}
