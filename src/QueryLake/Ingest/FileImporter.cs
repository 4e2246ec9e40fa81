using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Images;

namespace QueryLake.Ingest;

/// <summary>
/// IMPORT FILES: one row per file — path, size, modification time, kind (image, audio, video, blob, empty or
/// unreadable) and format sniffed from the content, image width and height from the header, the error for files
/// that could not be read, and the bytes. The content column is IMAGE when every readable file is an image, else
/// BLOB. Files stream in batches (at most 256 files or 64 MB at a time), so memory stays bounded whatever the total;
/// an unreadable or empty file is recorded as such and the import goes on.
/// </summary>
internal static class FileImporter
{
    private const int BatchFiles = 256;
    private const long BatchBytes = 64L << 20;

    public static Schema SchemaFor(bool images) => new(
    [
        new Field("path", DataType.Utf8, false), new Field("size", DataType.Int64), new Field("modified", DataType.Timestamp("UTC")),
        new Field("kind", DataType.Utf8), new Field("format", DataType.Utf8), new Field("width", DataType.Int64), new Field("height", DataType.Int64),
        new Field("error", DataType.Utf8), new Field("content", images ? new ImageType() : DataType.Binary),
    ]);

    /// <summary>True when every readable, non-empty file starts like an image (headers only are read).</summary>
    public static bool AllImages(IReadOnlyList<string> files)
    {
        bool any = false;
        foreach (var f in files)
        {
            try
            {
                using var s = File.OpenRead(f);
                var head = new byte[Math.Min(s.Length, 65536)];
                s.ReadExactly(head);
                if (head.Length == 0) continue;
                if (ImageHeader.Read(head) is null) return false;
                any = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return any;
    }

    /// <summary>The kind and format of content, from its first bytes.</summary>
    public static (string Kind, string? Format) Sniff(ReadOnlySpan<byte> b)
    {
        if (b.IsEmpty) return ("empty", null);
        if (ImageHeader.Read(b) is { } h) return ("image", h.Format);
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WAVE"u8)) return ("audio", "wav");
        if (b.Length >= 4 && b[..4].SequenceEqual("fLaC"u8)) return ("audio", "flac");
        if (b.Length >= 4 && b[..4].SequenceEqual("OggS"u8)) return ("audio", "ogg");
        if (b.Length >= 3 && b[..3].SequenceEqual("ID3"u8) || b.Length >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0) return ("audio", "mp3");
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8)) return ("video", "mp4");
        if (b.Length >= 4 && b[0] == 0x1A && b[1] == 0x45 && b[2] == 0xDF && b[3] == 0xA3) return ("video", "matroska");
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("AVI "u8)) return ("video", "avi");
        return ("blob", null);
    }

    /// <summary>Reads the files into batches; <paramref name="filesRead"/> hears how many files are done after each batch.</summary>
    public static IEnumerable<RecordBatch> Read(IReadOnlyList<string> files, Schema schema, Action<int>? filesRead, CancellationToken cancel)
    {
        int done = 0;
        while (done < files.Count)
        {
            var builders = schema.Fields.Select(f => ArrayBuilder.Create(f.DataType)).ToArray();
            int count = 0;
            long bytes = 0;
            while (done < files.Count && count < BatchFiles && bytes < BatchBytes)
            {
                cancel.ThrowIfCancellationRequested();
                var path = files[done++];
                count++;
                long? size = null;
                DateTime? modified = null;
                byte[]? content = null;
                string? error = null;
                try
                {
                    var info = new FileInfo(path);
                    size = info.Length;
                    modified = info.LastWriteTimeUtc;
                    if (info.Length > int.MaxValue - 64) error = $"the file has {info.Length} bytes, more than one value can hold";
                    else content = File.ReadAllBytes(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error = e.Message;
                }
                var (kind, format) = error is not null ? ("unreadable", null) : Sniff(content);
                var header = content is null ? null : ImageHeader.Read(content);
                builders[0].Append(path);
                builders[1].Append(size);
                builders[2].Append(modified);
                builders[3].Append(kind);
                builders[4].Append(format);
                builders[5].Append(header is { } h1 ? (long)h1.Width : null);
                builders[6].Append(header is { } h2 ? (long)h2.Height : null);
                builders[7].Append(error);
                // An IMAGE column takes images only; other files keep their row, with their kind, and no content.
                builders[8].Append(content is not null && (schema.Fields[8].DataType is not ImageType || kind == "image") ? content : null);
                bytes += content?.Length ?? 0;
            }
            yield return new RecordBatch(schema, builders.Select(b => b.Build()).ToArray(), count);
            filesRead?.Invoke(done);
        }
    }
}
