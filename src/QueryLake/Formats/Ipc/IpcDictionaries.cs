using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Formats.FlatBuffers;

namespace QueryLake.Formats.Ipc;

/// <summary>The dictionaries read so far, by id, with delta batches appended to their base.</summary>
internal sealed class IpcDictionaries
{
    private readonly Dictionary<long, DictionaryType> _types = [];
    private readonly Dictionary<long, ArrayData> _values = [];

    public IpcDictionaries(Schema schema, Dictionary<long, DictionaryType> types)
    {
        _types = types;
        Fields = [];
        // Depth-first order of dictionary fields, matching how decoders meet them.
        foreach (var (type, _) in DictionaryCollector.Collect(schema, null))
            Fields.Add((_types.First(kv => ReferenceEquals(kv.Value, type)).Key, type));
    }

    public List<(long Id, DictionaryType Type)> Fields { get; }

    public ArrayData Get(long id) =>
        _values.TryGetValue(id, out var v) ? v : throw new FlatBufferException($"record batch uses dictionary {id}, which was never sent");

    public void Read(FlatTable dictionaryBatch, ReadOnlyMemory<byte> body)
    {
        long id = dictionaryBatch.GetInt64(0);
        if (!_types.TryGetValue(id, out var type)) throw new FlatBufferException($"dictionary batch has unknown id {id}");
        var data = dictionaryBatch.GetTable(1) ?? throw new FlatBufferException($"dictionary batch {id} has no data");
        var decoder = new RecordBatchDecoder(data, body, [], Get);
        var values = decoder.DecodeSingle(new Field("dictionary", type.ValueType));
        if (dictionaryBatch.GetBool(2) && _values.TryGetValue(id, out var existing))
        {
            var b = ArrayBuilder.Create(type.ValueType);
            var a = ArrowArray.FromData(existing);
            var d = ArrowArray.FromData(values);
            b.AppendRange(a, 0, a.Length);
            b.AppendRange(d, 0, d.Length);
            values = b.BuildData();
        }
        _values[id] = values;
    }
}
