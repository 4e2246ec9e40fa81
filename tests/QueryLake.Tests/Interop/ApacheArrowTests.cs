using System.Runtime.InteropServices;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Interop;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;
using A = Apache.Arrow;

namespace QueryLake.Tests.Interop;

/// <summary>Apache.Arrow (C#) at the public boundary: results out and relations in without copying, files written by
/// either library read by the other, every type, plain and compressed, and the C Data Interface.</summary>
public sealed class ApacheArrowTests
{
    private static unsafe nint Address(ReadOnlyMemory<byte> m) => m.IsEmpty ? 0 : (nint)Unsafe(m.Span);
    private static unsafe void* Unsafe(ReadOnlySpan<byte> s) => System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(s));

    private static void AssertSame(Schema schema, IEnumerable<RecordBatch> expected, Schema actualSchema, IEnumerable<RecordBatch> actual) =>
        Assert.Equal(Canonical.Render(schema, expected).ToJsonString(), Canonical.Render(actualSchema, actual).ToJsonString());

    /// <summary>Every buffer of a converted array is the original's memory (same address), children and dictionary included.</summary>
    private static void AssertShared(ArrayData ours, A.ArrayData theirs)
    {
        Assert.Equal(ours.Length, theirs.Length);
        Assert.Equal(ours.Offset, theirs.Offset);
        for (int i = 0; i < ours.Buffers.Length; i++)
            if (!ours.Buffers[i].IsEmpty) Assert.Equal(Address(ours.Buffers[i].Memory), Address(theirs.Buffers[i].Memory));
        for (int i = 0; i < ours.Children.Length; i++) AssertShared(ours.Children[i], theirs.Children[i]);
        if (ours.Dictionary is { } d) AssertShared(d, theirs.Dictionary);
    }

    [Fact]
    public void Every_type_converts_both_ways_without_copying_a_buffer()
    {
        var batch = SampleData.AllTypes(300, seed: 3).Slice(7, 250);
        var apache = ApacheArrowConvert.ToApache(batch);
        Assert.Equal(batch.Schema.Fields.Count, apache.ColumnCount);
        for (int c = 0; c < batch.Columns.Count; c++) AssertShared(batch.Columns[c].Data, apache.Column(c).Data);
        var back = ApacheArrowConvert.FromApache(apache);
        Assert.Equal(batch.Schema, back.Schema);
        for (int c = 0; c < batch.Columns.Count; c++) AssertShared(back.Columns[c].Data, apache.Column(c).Data);
        AssertSame(batch.Schema, [batch], back.Schema, [back]);
        // Extension types travel as Arrow IPC carries them: storage plus ARROW:extension:* metadata.
        var emb = apache.Schema.GetFieldByName("emb");
        Assert.Equal("querylake.embedding", emb.Metadata["ARROW:extension:name"]);
        Assert.IsType<A.Types.FixedSizeListType>(emb.DataType);
        Assert.Equal("arrow.fixed_shape_tensor", apache.Schema.GetFieldByName("ten").Metadata["ARROW:extension:name"]);
    }

    [Fact]
    public void Files_apache_arrow_writes_read_back_identically_and_the_reverse()
    {
        // Every type, with and without nulls, empty batches, slices and a dictionary column, plain, zstd and lz4:
        // Apache.Arrow writes and QueryLake reads, and the reverse. Columns without nulls have empty validity buffers,
        // which a compressed Apache.Arrow file stores as a bare length prefix.
        var cases = from rows in Gen.Choose(0, 300)
                    from seed in Gen.Choose(1, 10_000)
                    from codec in Gen.Elements("none", "zstd", "lz4")
                    from nullRate in Gen.Elements(0.0, 0.3, 1.0)
                    select (Rows: rows, Seed: seed, Codec: codec, NullRate: nullRate);
        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var full = SampleData.AllTypes(c.Rows + 40, c.Seed, c.NullRate);
            var batches = new List<RecordBatch> { full.Slice(c.Seed % 40, c.Rows), SampleData.AllTypes(0, c.Seed), SampleData.AllTypes(c.Seed % 50, c.Seed + 1, c.NullRate) };
            RoundTrip(batches, c.Codec);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("zstd")]
    [InlineData("lz4")]
    public void An_empty_slice_apache_arrow_writes_with_its_first_offset_kept_reads_as_empty(string codec)
    {
        // Apache.Arrow writes an empty slice of a longer string array with the slice's first offset (not 0) and no
        // data, which addresses nothing; it was refused as "last offset 50 is past the end of the data buffer (0)".
        var full = SampleData.AllTypes(60, 1738, 0.0);
        RoundTrip([full.Slice(18, 0), full.Slice(59, 0)], codec);
    }

    private static void RoundTrip(List<RecordBatch> batches, string codec)
    {
        using var dir = new TempDir();
        var schema = SampleData.AllTypesSchema;
        // One file per batch: Apache.Arrow's file writer keeps the first batch's dictionary for the whole file.
        for (int i = 0; i < batches.Count; i++)
        {
            var theirs = dir.File($"theirs-{i}.arrow");
            using (var fs = File.Create(theirs))
            {
                var apacheSchema = ApacheArrowConvert.ToApache(schema);
                using var w = new A.Ipc.ArrowFileWriter(fs, apacheSchema, leaveOpen: false, Options(codec));
                w.WriteRecordBatch(ApacheArrowConvert.ToApache(batches[i], apacheSchema));
                w.WriteEnd();
            }
            using (var r = ArrowFileReader.Open(theirs))
            {
                Assert.Equal(schema, r.Schema);
                AssertSame(schema, [batches[i]], r.Schema, r.ReadAll().ToList());
            }
            // And through SQL, where the dictionary column is text.
            using var s = QueryLakeSession.Open(dir.File($"lake-{i}"));
            Assert.Equal(batches[i].Length, (long)s.Query($"SELECT count(*) FROM '{theirs}'").Rows().Single()[0]!);
            Assert.Equal(Enumerable.Range(0, batches[i].Length).Select(r => (string?)batches[i].Columns[schema.IndexOf("dict")].GetValue(r)),
                s.Query($"SELECT dict FROM '{theirs}'").Rows().Select(r => (string?)r[0]));
        }
        // QueryLake writes (all batches in one file), Apache.Arrow reads.
        var ours = dir.File("ours.arrow");
        using (var w = ArrowFileWriter.Create(ours, schema, new IpcWriteOptions { Compression = codec == "zstd" ? IpcCompression.Zstd : IpcCompression.None }))
            foreach (var b in batches) w.Write(b);
        using (var fs = File.OpenRead(ours))
        using (var r = new A.Ipc.ArrowFileReader(fs, new Apache.Arrow.Compression.CompressionCodecFactory()))
        {
            var read = new List<RecordBatch>();
            var readSchema = ApacheArrowConvert.FromApache(r.Schema);
            while (r.ReadNextRecordBatch() is { } b) read.Add(ApacheArrowConvert.FromApache(b, readSchema));
            // The converted arrays must outlive the Apache.Arrow batches they view: collected and finalized here.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.Equal(schema, readSchema);
            AssertSame(schema, batches, readSchema, read);
        }
    }

    private static A.Ipc.IpcOptions Options(string codec) => codec switch
    {
        "zstd" => new A.Ipc.IpcOptions { CompressionCodec = A.Ipc.CompressionCodecType.Zstd, CompressionCodecFactory = new Apache.Arrow.Compression.CompressionCodecFactory() },
        "lz4" => new A.Ipc.IpcOptions { CompressionCodec = A.Ipc.CompressionCodecType.Lz4Frame, CompressionCodecFactory = new Apache.Arrow.Compression.CompressionCodecFactory() },
        _ => new A.Ipc.IpcOptions(),
    };

    [Fact]
    public void A_query_result_streams_as_apache_arrow_batches_sharing_the_engines_buffers()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        s.Execute("CREATE DATASET t AS SELECT range AS id, 'n' || range AS name, [range, 1] AS l FROM range(100000)");
        var ours = s.Query("SELECT * FROM t").Materialize();
        var arrow = ours.ToArrowBatches().ToList();
        Assert.Equal(ours.Batches.Count, arrow.Count);
        for (int b = 0; b < arrow.Count; b++)
            for (int c = 0; c < 3; c++) AssertShared(ours.Batches[b].Columns[c].Data, arrow[b].Column(c).Data);
        Assert.Equal(100000L, arrow.Sum(b => (long)b.Length));
        Assert.Equal(4999950000L, arrow.Sum(b => ((A.Int64Array)b.Column(0)).Values.ToArray().Sum()));
        Assert.Equal("name", ours.ArrowSchema.FieldsList[1].Name);
        Assert.IsType<A.Types.StringType>(ours.ArrowSchema.FieldsList[1].DataType);
    }

    [Fact]
    public async Task Registered_apache_arrow_batches_are_relations_for_select_insert_and_create_dataset()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        var source = SampleData.AllTypes(500, seed: 9);
        var apache = ApacheArrowConvert.ToApache(source);
        s.Register("incoming", apache);
        Assert.Equal(500L, s.Query("SELECT count(*) FROM incoming").Rows().Single()[0]);
        // Scanned twice in one statement, and again later: a list of batches can be read any number of times.
        Assert.Equal(s.Query("SELECT count(*) FROM incoming WHERE i32 IS NOT NULL").Rows().Single()[0],
            s.Query("SELECT count(*) FROM incoming WHERE i32 IN (SELECT i32 FROM incoming)").Rows().Single()[0]);
        s.Execute("CREATE DATASET copy AS SELECT * FROM incoming");
        s.Execute("INSERT INTO copy SELECT * FROM incoming WHERE i32 > 0");
        var back = s.Query("SELECT * FROM copy VERSION 1").Materialize();
        // The dataset keeps the values; its schema has text for the dictionary column and no schema metadata.
        AssertSame(back.Schema, [source], back.Schema, back.Batches);
        Assert.Equal(s.Query("SELECT 500 + count(*) FROM incoming WHERE i32 > 0").Rows().Single()[0], s.Query("SELECT count(*) FROM copy").Rows().Single()[0]);
        // A stream is read once; a second scan says so.
        var stream = s.Query("SELECT id, id * 2 AS twice FROM range(10) t(id)").ToArrowStream();
        s.Register("once", stream);
        Assert.Equal(90L, s.Query("SELECT sum(twice) FROM once").Rows().Single()[0]);
        Assert.Equal("QL-ARROW-STREAM-READ", Assert.ThrowsAny<QueryLakeException>(() => s.Query("SELECT * FROM once").Rows().ToList()).Code);
        Assert.True(s.Unregister("once"));
        Assert.Equal("QL-DATASET-NOT-FOUND", Assert.ThrowsAny<QueryLakeException>(() => s.Query("SELECT * FROM once").Rows().ToList()).Code);
        // Async enumeration yields the same batches.
        long rows = 0;
        await foreach (var b in s.Query("SELECT * FROM incoming").ToArrowBatchesAsync()) rows += b.Length;
        Assert.Equal(500, rows);
    }

    /// <summary>Exports <paramref name="stream"/> through the C Data Interface's ArrowArrayStream struct and imports it
    /// back, as a native consumer and producer would.</summary>
    private static unsafe A.Ipc.IArrowArrayStream ThroughCDataInterface(A.Ipc.IArrowArrayStream stream)
    {
        var c = A.C.CArrowArrayStream.Create();
        try
        {
            A.C.CArrowArrayStreamExporter.ExportArrayStream(stream, c);
            return A.C.CArrowArrayStreamImporter.ImportArrayStream(c);
        }
        finally { A.C.CArrowArrayStream.Free(c); }
    }

    [Fact]
    public async Task Results_cross_the_c_data_interface_without_copies_both_ways()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        s.Execute("CREATE DATASET t AS SELECT range AS id, range % 7 AS k FROM range(50000)");
        var expected = s.Query("SELECT * FROM t").Materialize();
        using var imported = ThroughCDataInterface(s.Query("SELECT * FROM t").ToArrowStream());
        var batches = new List<A.RecordBatch>();
        while (await imported.ReadNextRecordBatchAsync() is { } b) batches.Add(b);
        // The imported buffers are the engine's: the same addresses as the materialized result's (the dataset's mapped file).
        Assert.Equal(Address(expected.Batches[0].Columns[0].Data.Buffers[1].Memory), Address(batches[0].Column(0).Data.Buffers[1].Memory));
        s.Register("imported", batches);
        Assert.Equal(s.Query("SELECT k, count(*) FROM t GROUP BY k ORDER BY k").Rows().Select(r => $"{r[0]}:{r[1]}"),
            s.Query("SELECT k, count(*) FROM imported GROUP BY k ORDER BY k").Rows().Select(r => $"{r[0]}:{r[1]}"));
        // Imported as a stream, registered, read by a query.
        s.Register("streamed", ThroughCDataInterface(s.Query("SELECT * FROM t WHERE k = 3").ToArrowStream()));
        Assert.Equal(s.Query("SELECT count(*) FROM t WHERE k = 3").Rows().Single()[0], s.Query("SELECT count(*) FROM streamed").Rows().Single()[0]);
    }

    /// <summary>1,000 decimal256 values of scale 4 (every 7th NULL): <c>n</c> as decimal256(38, 4) with up to 37 digits,
    /// <c>w</c> as decimal256(50, 4) holding them times 10^12, a struct <c>s</c> holding <c>n</c> again and a list
    /// <c>l</c> holding each <c>n</c> value twice.</summary>
    private static (A.RecordBatch Batch, List<System.Numerics.BigInteger?> Values) Decimal256Batch()
    {
        var rng = new Random(256);
        var values = Enumerable.Range(0, 1000).Select(i => i % 7 == 0 ? (System.Numerics.BigInteger?)null
            : System.Numerics.BigInteger.Parse($"{(i % 2 == 0 ? "-" : "")}{rng.NextInt64(1, 999_999_999_999_999_999)}{rng.Next(0, 99_999_999):D8}{rng.Next(0, 99_999_999):D8}{rng.Next(0, 999):D3}", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var scaleUp = System.Numerics.BigInteger.Pow(10, 12);
        A.Decimal256Array Array(int precision, IReadOnlyList<System.Numerics.BigInteger?> vs, Func<System.Numerics.BigInteger, System.Numerics.BigInteger> f)
        {
            var bytes = new byte[vs.Count * 32];
            var validity = new byte[(vs.Count + 7) / 8];
            for (int i = 0; i < vs.Count; i++)
            {
                if (vs[i] is not { } v) continue;
                validity[i >> 3] |= (byte)(1 << (i & 7));
                var le = f(v).ToByteArray(isUnsigned: false, isBigEndian: false);
                le.CopyTo(bytes, i * 32);
                if (v < 0) bytes.AsSpan(i * 32 + le.Length, 32 - le.Length).Fill(0xff);
            }
            return new A.Decimal256Array(new A.ArrayData(new A.Types.Decimal256Type(precision, 4), vs.Count, vs.Count(v => v is null), 0,
                [new A.ArrowBuffer(validity), new A.ArrowBuffer(bytes)]));
        }
        var ids = new A.Int64Array.Builder();
        for (int i = 0; i < values.Count; i++) ids.Append(i);
        var inner = new A.Field("x", new A.Types.Decimal256Type(38, 4), true);
        var structType = new A.Types.StructType([inner]);
        var listType = new A.Types.ListType(inner);
        var offsets = new A.ArrowBuffer.Builder<int>();
        for (int i = 0; i <= values.Count; i++) offsets.Append(2 * i);
        var doubled = values.SelectMany(v => new[] { v, v }).ToList();
        var schema = new A.Schema([new A.Field("id", A.Types.Int64Type.Default, false), new A.Field("n", new A.Types.Decimal256Type(38, 4), true),
            new A.Field("w", new A.Types.Decimal256Type(50, 4), true), new A.Field("s", structType, false), new A.Field("l", listType, false)], null);
        var batch = new A.RecordBatch(schema, [ids.Build(), Array(38, values, v => v), Array(50, values, v => v * scaleUp),
            new A.StructArray(structType, values.Count, [Array(38, values, v => v)], A.ArrowBuffer.Empty, 0),
            new A.ListArray(listType, values.Count, offsets.Build(), Array(38, doubled, v => v), A.ArrowBuffer.Empty, 0)], values.Count);
        return (batch, values);
    }

    private static string DecimalText(System.Numerics.BigInteger unscaled, int scale)
    {
        var digits = System.Numerics.BigInteger.Abs(unscaled).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        return (unscaled < 0 ? "-" : "") + digits[..^scale] + "." + digits[^scale..];
    }

    /// <summary>Checks what <see cref="Decimal256Batch"/> reads as from <paramref name="relation"/>: DECIMAL(38, 4) exact
    /// (alone, in the struct and in the list), DOUBLE for the 50-digit column.</summary>
    private static void AssertDecimal256(QueryLakeSession s, string relation, List<System.Numerics.BigInteger?> values)
    {
        var result = s.Query($"SELECT id, n, w, CAST(n AS VARCHAR), CAST(s.x AS VARCHAR), CAST(l[2] AS VARCHAR), list_length(l) FROM {relation} ORDER BY id");
        Assert.Equal("decimal(38, 4)", result.Schema.Fields[1].DataType.ToString());
        Assert.Equal("float64", result.Schema.Fields[2].DataType.ToString());
        var rows = result.Rows().ToList();
        Assert.Equal(values.Count, rows.Count);
        var scaleUp = System.Numerics.BigInteger.Pow(10, 12);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(2L, rows[i][6]);
            if (values[i] is not { } v) { Assert.Null(rows[i][1]); Assert.Null(rows[i][2]); Assert.Null(rows[i][4]); Assert.Null(rows[i][5]); continue; }
            Assert.Equal(DecimalText(v, 4), rows[i][3]);
            Assert.Equal(DecimalText(v, 4), rows[i][4]);
            Assert.Equal(DecimalText(v, 4), rows[i][5]);
            double exact = double.Parse(DecimalText(v * scaleUp, 4), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Math.Abs((double)rows[i][2]! - exact) <= 1e-15 * Math.Abs(exact), $"row {i}: {rows[i][2]}, expected {exact}");
        }
        // Sums stay exact in DECIMAL.
        var sum = values.Where(v => v is not null).Aggregate(System.Numerics.BigInteger.Zero, (a, v) => a + v!.Value);
        Assert.Equal(DecimalText(sum, 4), s.Query($"SELECT CAST(sum(n) AS VARCHAR) FROM {relation}").Rows().Single()[0]);
    }

    [Fact]
    public void Decimal256_reads_exactly_up_to_38_digits_and_as_double_beyond()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        var (batch, values) = Decimal256Batch();
        // Sliced too: the values and the validity of the second slice start at row 5.
        s.Register("d", [batch.Slice(0, 5), batch.Slice(5, values.Count - 5)]);
        AssertDecimal256(s, "d", values);
    }

    [Theory]
    [InlineData("none", false)]
    [InlineData("zstd", false)]
    [InlineData("lz4", true)]
    public void Decimal256_in_arrow_ipc_files_written_by_apache_arrow_reads_as_decimal_or_double(string codec, bool stream)
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        var (batch, values) = Decimal256Batch();
        var path = dir.File(stream ? "d.arrows" : "d.arrow");
        using (var fs = File.Create(path))
        {
            using A.Ipc.ArrowStreamWriter w = stream ? new A.Ipc.ArrowStreamWriter(fs, batch.Schema, leaveOpen: true, Options(codec))
                : new A.Ipc.ArrowFileWriter(fs, batch.Schema, leaveOpen: true, Options(codec));
            w.WriteRecordBatch(batch.Slice(0, 300));
            w.WriteRecordBatch(batch.Slice(300, values.Count - 300));
            w.WriteEnd();
        }
        AssertDecimal256(s, $"'{path}'", values);
        // The reader's own schema says what the file holds.
        if (!stream)
        {
            using var r = ArrowFileReader.Open(path);
            Assert.Equal("decimal256(50, 4)", r.Schema.Fields[2].DataType.ToString());
        }
        // A value wider than its declared 38 digits is refused, not wrapped.
        var tooWide = new byte[32];
        System.Numerics.BigInteger.Pow(10, 40).ToByteArray(isUnsigned: false, isBigEndian: false).CopyTo(tooWide, 0);
        var bad = new A.Schema([new A.Field("n", new A.Types.Decimal256Type(38, 0), true)], null);
        var badPath = dir.File("bad.arrow");
        using (var fs = File.Create(badPath))
        using (var w = new A.Ipc.ArrowFileWriter(fs, bad, leaveOpen: true, Options(codec)))
        {
            w.WriteRecordBatch(new A.RecordBatch(bad, [new A.Decimal256Array(new A.ArrayData(bad.FieldsList[0].DataType, 1, 0, 0, [A.ArrowBuffer.Empty, new A.ArrowBuffer(tooWide)]))], 1));
            w.WriteEnd();
        }
        Assert.Equal("QL-OVERFLOW", Assert.ThrowsAny<QueryLakeException>(() => s.Query($"SELECT * FROM '{badPath}'").Rows().ToList()).Code);
    }

    [Fact]
    public void Apache_arrow_types_querylake_lacks_fail_with_a_clear_error()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open(dir.File("lake"));
        var schema = new A.Schema([new A.Field("t", A.Types.Time32Type.Default, true)], null);
        var e = Assert.ThrowsAny<QueryLakeException>(() => s.Register("x", schema, []));
        Assert.Equal("QL-UNSUPPORTED-TYPE", e.Code);
        Assert.Contains("'t'", e.Message);
        Assert.Equal("QL-ARROW-SCHEMA", Assert.ThrowsAny<QueryLakeException>(() => s.Register("x", new List<A.RecordBatch>())).Code);
    }
}
