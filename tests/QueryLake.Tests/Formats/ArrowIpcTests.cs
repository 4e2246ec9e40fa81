using System.Text.Json.Nodes;
using QueryLake.Columnar;
using QueryLake.Formats.Ipc;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats;

public sealed class ArrowIpcTests
{
    private static void AssertSameJson(JsonNode expected, JsonNode actual)
    {
        if (!JsonNode.DeepEquals(expected, actual))
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
    }

    private static JsonObject ReadBack(string path)
    {
        using var r = ArrowFileReader.Open(path);
        return Canonical.Render(r.Schema, r.ReadAll().ToList());
    }

    [Fact]
    public void Reads_flights_200k_like_apache_arrow_does()
    {
        var path = Oracles.VegaData("flights-200k.arrow");
        var expected = JsonNode.Parse(Oracles.RunNode("arrow-dump.mjs", path))!;
        using var r = ArrowFileReader.Open(path);
        Assert.Equal(200_000, r.ReadAll().Sum(b => b.Length));
        AssertSameJson(expected, ReadBack(path));
    }

    [Theory]
    [InlineData("none", "file")]
    [InlineData("lz4", "file")]
    [InlineData("lz4", "stream")]
    public void Reads_files_apache_arrow_wrote(string codec, string format)
    {
        using var dir = new TempDir();
        var src = Oracles.VegaData("flights-200k.arrow");
        var path = dir.File("js.arrow");
        Oracles.RunNode("arrow-write.mjs", src, path, codec, format);
        JsonObject actual;
        if (format == "file") actual = ReadBack(path);
        else
        {
            using var s = ArrowStreamReader.Open(path);
            actual = Canonical.Render(s.Schema, s.ReadAll().ToList());
        }
        AssertSameJson(JsonNode.Parse(Oracles.RunNode("arrow-dump.mjs", src))!, actual);
    }

    public static TheoryData<IpcCompression, bool, int> WriteCases => new()
    {
        { IpcCompression.None, false, 1 }, { IpcCompression.Zstd, false, 1 },
        { IpcCompression.None, true, 3 }, { IpcCompression.Zstd, true, 3 },
    };

    [Theory]
    [MemberData(nameof(WriteCases))]
    public void Every_file_written_is_read_back_identically_by_apache_arrow(IpcCompression compression, bool stream, int batches)
    {
        using var dir = new TempDir();
        var path = dir.File(stream ? "out.arrows" : "out.arrow");
        var written = new List<RecordBatch>();
        var options = new IpcWriteOptions { Compression = compression };
        using (var fs = File.Create(path))
        {
            IDisposable w = stream ? new ArrowStreamWriter(fs, SampleData.AllTypesSchema, options) : new ArrowFileWriter(fs, SampleData.AllTypesSchema, options);
            for (int i = 0; i < batches; i++)
            {
                var b = SampleData.AllTypes(200, seed: 10 + i);
                // Slices exercise bit-offset validity and rebased offsets.
                if (i == 1) b = b.Slice(13, 101);
                written.Add(b);
                if (w is ArrowStreamWriter sw) sw.Write(b); else ((ArrowFileWriter)w).Write(b);
            }
            w.Dispose();
        }
        var expected = Canonical.Render(SampleData.AllTypesSchema, written);
        AssertSameJson(expected, JsonNode.Parse(Oracles.RunNode("arrow-dump.mjs", path))!);
        if (stream)
        {
            using var s = ArrowStreamReader.Open(path);
            AssertSameJson(expected, Canonical.Render(s.Schema, s.ReadAll().ToList()));
            Assert.Equal(SampleData.AllTypesSchema, s.Schema);
        }
        else
        {
            AssertSameJson(expected, ReadBack(path));
            using var r = ArrowFileReader.Open(path);
            Assert.Equal(SampleData.AllTypesSchema, r.Schema);
        }
    }
}
