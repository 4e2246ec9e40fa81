using System.Text;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;

namespace QueryLake.Formats.Text;

/// <summary>
/// How one column of one batch is written as CSV fields, chosen once per batch so that each field costs one virtual
/// call: numbers and dates formatted straight to UTF-8 (quoted only where their characters can hold the delimiter),
/// text copied (quoted where it holds the delimiter, a quote or a line break), dictionary-encoded text rendered once per
/// dictionary entry and then copied per row, and any other type through <see cref="TextWriters.Text"/>.
/// A NULL writes nothing.
/// </summary>
internal abstract class CsvField
{
    private CsvField(ArrowArray array) => Array = array;

    /// <summary>The column.</summary>
    protected ArrowArray Array { get; }

    /// <summary>Appends row <paramref name="r"/>'s field (nothing for NULL).</summary>
    public void Write(Utf8Text text, int r)
    {
        if (!Array.IsNull(r)) WriteValue(text, r);
    }

    protected abstract void WriteValue(Utf8Text text, int r);

    /// <summary>The writer of <paramref name="a"/>'s fields. <paramref name="delimiter"/> is the one-byte delimiter, or 0
    /// when it is beyond ASCII (every field then goes through the general path).</summary>
    public static CsvField For(ArrowArray a, byte delimiter, char delimiterChar)
    {
        if (delimiter == 0) return new General(a, delimiterChar);
        // Which bytes a number's invariant text can hold ("-1.5E+20", "NaN", "-Infinity"): only a delimiter among them
        // can call for quotes.
        bool integerQuotes = delimiter is (byte)'-' or >= (byte)'0' and <= (byte)'9';
        bool floatQuotes = integerQuotes || "+.EINaity"u8.Contains(delimiter) || "nf"u8.Contains(delimiter);
        return a switch
        {
            PrimitiveArray<long> x when a.Type.StorageType is PrimitiveType => new Number<long>(x, "", integerQuotes ? delimiter : (byte)0),
            PrimitiveArray<int> x when a.Type.StorageType.Id == TypeId.Date32 => new Date(x, delimiter),
            PrimitiveArray<int> x => new Number<int>(x, "", integerQuotes ? delimiter : (byte)0),
            PrimitiveArray<short> x => new Number<short>(x, "", integerQuotes ? delimiter : (byte)0),
            PrimitiveArray<sbyte> x => new Number<sbyte>(x, "", integerQuotes ? delimiter : (byte)0),
            PrimitiveArray<byte> x => new Number<byte>(x, "", integerQuotes ? delimiter : (byte)0),
            PrimitiveArray<ushort> x => new Number<ushort>(x, "", integerQuotes ? delimiter : (byte)0),
            PrimitiveArray<uint> x => new Number<uint>(x, "", integerQuotes ? delimiter : (byte)0),
            PrimitiveArray<ulong> x => new Number<ulong>(x, "", integerQuotes ? delimiter : (byte)0),
            PrimitiveArray<double> x => new Number<double>(x, "R", floatQuotes ? delimiter : (byte)0),
            PrimitiveArray<float> x => new Number<float>(x, "R", floatQuotes ? delimiter : (byte)0),
            BooleanArray x => new Boolean(x, delimiter),
            BinaryArray x when a.Type is VariableBinaryType { IsUtf8: true } => new Utf8(x, delimiter),
            DictionaryArray { Dictionary: BinaryArray { Type: VariableBinaryType { IsUtf8: true } } } d => new EncodedUtf8(d, delimiter),
            _ => new General(a, delimiterChar),
        };
    }

    private sealed class Number<T>(PrimitiveArray<T> values, string format, byte quoteOn) : CsvField(values)
        where T : unmanaged, IUtf8SpanFormattable
    {
        protected override void WriteValue(Utf8Text text, int r)
        {
            if (quoteOn == 0) text.Format(values[r], format);
            else text.Field(values[r], format, quoteOn);
        }
    }

    /// <summary>yyyy-MM-dd from the day number, without a calendar object (years outside 1–9999 as DuckDB writes them).</summary>
    private sealed class Date(PrimitiveArray<int> days, byte delimiter) : CsvField(days)
    {
        private readonly bool _quote = delimiter is (byte)'-' or >= (byte)'0' and <= (byte)'9';

        protected override void WriteValue(Utf8Text text, int r)
        {
            var (y, m, d) = Civil(days[r]);
            if (y is < 1 or > 9999 || _quote)
            {
                // Beyond the four-digit years, as DuckDB writes them: 10000-01-01, 0044-03-15 (BC).
                var wide = y < 1 ? FormattableString.Invariant($"{1 - y:D4}-{m:D2}-{d:D2} (BC)") : FormattableString.Invariant($"{y:D4}-{m:D2}-{d:D2}");
                text.Quoted(Encoding.UTF8.GetBytes(wide), _quote ? delimiter : (byte)0);
                return;
            }
            Span<byte> s = stackalloc byte[10];
            s[0] = (byte)('0' + y / 1000);
            s[1] = (byte)('0' + y / 100 % 10);
            s[2] = (byte)('0' + y / 10 % 10);
            s[3] = (byte)('0' + y % 10);
            s[4] = (byte)'-';
            s[5] = (byte)('0' + m / 10);
            s[6] = (byte)('0' + m % 10);
            s[7] = (byte)'-';
            s[8] = (byte)('0' + d / 10);
            s[9] = (byte)('0' + d % 10);
            text.Append(s);
        }
    }

    private sealed class Boolean(BooleanArray values, byte delimiter) : CsvField(values)
    {
        protected override void WriteValue(Utf8Text text, int r) => text.Quoted(values.GetBoolean(r) ? "true"u8 : "false"u8, delimiter);
    }

    private sealed class Utf8(BinaryArray values, byte delimiter) : CsvField(values)
    {
        protected override void WriteValue(Utf8Text text, int r) => text.Quoted(values.GetBytes(r), delimiter);
    }

    /// <summary>Each dictionary entry is rendered (quoted if it must be) once; a row copies its entry's bytes.</summary>
    private sealed class EncodedUtf8 : CsvField
    {
        private readonly ReadOnlyMemory<int> _indices;
        private readonly Utf8Text _rendered = new();
        private readonly int[] _starts;

        public EncodedUtf8(DictionaryArray d, byte delimiter) : base(d)
        {
            _indices = Kernels.Vectors.Indices(d);
            var values = (BinaryArray)d.Dictionary;
            _starts = new int[values.Length + 1];
            for (int i = 0; i < values.Length; i++)
            {
                _starts[i] = _rendered.Written.Length;
                if (!values.IsNull(i)) _rendered.Quoted(values.GetBytes(i), delimiter);
            }
            _starts[values.Length] = _rendered.Written.Length;
        }

        protected override void WriteValue(Utf8Text text, int r)
        {
            int i = _indices.Span[r];
            text.Append(_rendered.Written[_starts[i].._starts[i + 1]]);
        }

        /// <summary>Gives the rendered entries' buffer back to the pool.</summary>
        public override void Release() => _rendered.Return();
    }

    /// <summary>Any other type, through its text form.</summary>
    private sealed class General(ArrowArray values, char delimiter) : CsvField(values)
    {
        protected override void WriteValue(Utf8Text text, int r) =>
            text.Quoted(Encoding.UTF8.GetBytes(TextWriters.Quote(TextWriters.Text(Array.GetValue(r)!), delimiter)), 0);
    }

    /// <summary>The proleptic Gregorian (year, month, day) of a day number counted from 1970-01-01.</summary>
    internal static (long Year, int Month, int Day) Civil(long days)
    {
        long z = days + 719468;
        long era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int)(doy - (153 * mp + 2) / 5 + 1);
        int month = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day);
    }

    /// <summary>Gives back what the writer rented; it must not be used afterwards.</summary>
    public virtual void Release() { }
}
