using QueryLake.Columnar.Memory;
using QueryLake.Formats.Parquet.Reading;

namespace QueryLake.Formats.Parquet.Writing;

/// <summary>One leaf column's shredded row group so far: levels per entry and the dense non-null values. While every
/// value came from dictionary-encoded input (<see cref="IndicesComplete"/>), it holds the row group's dictionary and
/// each value's index into it instead of the values, built from the input dictionaries' entries (each hashed once per
/// batch): the chunk writer then neither hashes nor copies every value to dictionary-encode it. The values are
/// produced from the two only when they are needed (<see cref="LeaveDictionaryMode"/>).</summary>
internal sealed class LeafAccumulator(WriteNode leaf, int width)
{
    public WriteNode Leaf { get; } = leaf;
    public BufferBuilder Def { get; } = new(1024);
    public BufferBuilder Rep { get; } = new(1024);
    /// <summary>The values; empty while <see cref="IndicesComplete"/> (the dictionary and indices stand for them).</summary>
    public ValueBuffer Values { get; private set; } = new(width);
    public int Entries { get; set; }

    /// <summary>Whether dictionary encoding did not pay in a row group of this leaf (too many distinct values); later row groups then write plain pages without trying.</summary>
    public bool DictionaryDeclined { get; set; }

    /// <summary>The row group's dictionary, built from dictionary-encoded input (see <see cref="Indices"/>).</summary>
    public ValueBuffer Dictionary { get; } = new(width);

    /// <summary>Each value's index into <see cref="Dictionary"/>, while <see cref="IndicesComplete"/>.</summary>
    public BufferBuilder Indices { get; } = new(1024);

    /// <summary>True while every value came as a dictionary index (no plain input yet in this row group, and the
    /// dictionary is within its size); the values are then in <see cref="Dictionary"/> and <see cref="Indices"/> only.</summary>
    public bool IndicesComplete { get; private set; } = true;

    /// <summary>Values present so far (non-null entries).</summary>
    public int ValueCount => IndicesComplete ? Indices.Length / 4 : Values.Count;

    /// <summary>Ends dictionary mode for this row group: the values the indices stand for are appended to
    /// <see cref="Values"/>, which later input extends.</summary>
    public void LeaveDictionaryMode()
    {
        if (!IndicesComplete) return;
        IndicesComplete = false;
        if (Indices.Length > 0) Values.AppendFrom(Dictionary, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(Indices.Span));
    }

    private Dictionary<int, int>? _entries;

    /// <summary>The index in <see cref="Dictionary"/> of <paramref name="value"/>, added if new; −1 once the dictionary
    /// would pass <paramref name="maxSize"/> entries.</summary>
    public int DictionaryIndex(ReadOnlySpan<byte> value, int maxSize)
    {
        _entries ??= new Dictionary<int, int>(new DictionaryEntries(Dictionary));
        // The candidate is appended, looked up by its position, and dropped again if it was there already.
        Dictionary.AppendBinary(value);
        int candidate = Dictionary.Count - 1;
        if (_entries.TryGetValue(candidate, out int existing))
        {
            Dictionary.RemoveLast();
            return existing;
        }
        if (_entries.Count >= maxSize)
        {
            Dictionary.RemoveLast();
            return -1;
        }
        _entries[candidate] = candidate;
        return candidate;
    }

    public void Reset()
    {
        Def.SetLength(0);
        Rep.SetLength(0);
        Values.Clear();
        Entries = 0;
        Dictionary.Clear();
        Indices.SetLength(0);
        IndicesComplete = true;
        _entries?.Clear();
    }

    /// <summary>Compares dictionary entries by their bytes.</summary>
    private sealed class DictionaryEntries(ValueBuffer values) : IEqualityComparer<int>
    {
        public bool Equals(int a, int b) => values.Binary(a).SequenceEqual(values.Binary(b));

        public int GetHashCode(int i) => (int)System.IO.Hashing.XxHash3.HashToUInt64(values.Binary(i));
    }
}
