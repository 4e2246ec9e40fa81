// A writer the crash tests kill at random moments: it appends batches of 1,000 consecutive integers
// (0, 1, 2, …) to <lake>/<dataset> forever, so a reader can check that every committed version holds
// exactly a whole number of complete appends and nothing else.
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Storage;

var lake = Lake.Open(args[0]);
var schema = new Schema([new Field("n", DataType.Int64, nullable: false), new Field("label", DataType.Utf8)]);
var ds = lake.DatasetExists(args[1]) ? lake.OpenDataset(args[1]) : lake.CreateDataset(args[1], schema);
long next = ds.Latest().RowCount, first = next;
Console.WriteLine("ready");
while (true)
{
    var n = new PrimitiveBuilder<long>(DataType.Int64);
    var label = new BinaryBuilder(DataType.Utf8);
    for (int i = 0; i < 1000; i++)
    {
        n.Append(next + i);
        label.Append($"row {next + i}");
    }
    ds.Append(new RecordBatch(schema, [n.Build(), label.Build()], 1000));
    if (next == first) Console.WriteLine("committed"); // once per process: the tests may wait for it before killing
    next += 1000;
}
