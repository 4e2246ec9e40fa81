using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Formats;

/// <summary>Corrupts valid Arrow files and streams in FsCheck-generated ways: every read either succeeds or
/// fails with a <see cref="CorruptFileException"/>. Nothing else may escape: no crash, no hang, no other error,
/// and no allocation far beyond the input's size (hostile lengths are never trusted).</summary>
public sealed class ArrowIpcFuzzTests
{
    private static byte[] Valid(bool stream, IpcCompression compression)
    {
        using var ms = new MemoryStream();
        var batch = SampleData.AllTypes(40, seed: 3);
        var options = new IpcWriteOptions { Compression = compression };
        if (stream)
        {
            using var w = new ArrowStreamWriter(ms, batch.Schema, options, leaveOpen: true);
            w.Write(batch);
            w.Write(batch.Slice(5, 20));
        }
        else
        {
            using var w = new ArrowFileWriter(ms, batch.Schema, options, leaveOpen: true);
            w.Write(batch);
            w.Write(batch.Slice(5, 20));
        }
        return ms.ToArray();
    }

    private static void ReadEverything(byte[] bytes, bool stream)
    {
        // Rendering touches every value of every column, so out-of-bounds data would surface here.
        if (stream)
        {
            using var r = new ArrowStreamReader(new MemoryStream(bytes), "fuzz.arrows");
            Canonical.Render(r.Schema, r.ReadAll().ToList());
        }
        else
        {
            using var r = ArrowFileReader.FromMemory(bytes, "fuzz.arrow");
            Canonical.Render(r.Schema, r.ReadAll().ToList());
        }
    }

    [Theory]
    [InlineData(false, IpcCompression.None)]
    [InlineData(false, IpcCompression.Zstd)]
    [InlineData(true, IpcCompression.None)]
    [InlineData(true, IpcCompression.Zstd)]
    public void Corrupted_input_fails_cleanly_or_reads(bool stream, IpcCompression compression)
    {
        var valid = Valid(stream, compression);
        ReadEverything(valid, stream);
        var property = Prop.ForAll(Corruptions.Gen.ToArbitrary(), c =>
        {
            var bytes = Corruptions.Apply(valid, c);
            Assert.True(Bounded.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { ReadEverything(bytes, stream); }
                catch (CorruptFileException e) { Assert.Contains("fuzz.arrow", e.Message); }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < 64 << 20, $"reading a {bytes.Length}-byte corrupted file allocated {allocated} bytes");
            }, TimeSpan.FromSeconds(10)), $"reading a corrupted file hung: {c}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), property);
    }

    [Fact]
    public void Errors_name_the_file_and_the_problem()
    {
        var valid = Valid(false, IpcCompression.None);
        var e = Assert.Throws<CorruptFileException>(() => ArrowFileReader.FromMemory(valid[..(valid.Length / 2)], "half.arrow"));
        Assert.Equal("half.arrow: file does not end with ARROW1: it is truncated or not an Arrow file", e.Message);
        var stream = Valid(true, IpcCompression.None);
        e = Assert.Throws<CorruptFileException>(() => ArrowFileReader.FromMemory(stream, "s.arrow"));
        Assert.Contains("looks like an Arrow stream", e.Message);
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("empty.arrow"), []);
        e = Assert.Throws<CorruptFileException>(() => ArrowFileReader.Open(dir.File("empty.arrow")));
        Assert.Contains("empty.arrow: file is 0 bytes", e.Message);
    }
}
