using System.Buffers.Binary;
using System.IO.Compression;

namespace QueryLake.Formats.Images;

/// <summary>Encodes 8-bit RGBA pixels as a PNG (colour type 6, no interlace, filter 0), for thumbnails.</summary>
internal static class PngEncoder
{
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgba)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 6;
        Chunk(ms, "IHDR"u8, ihdr);
        using var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0);
            raw.Write(rgba.Slice(y * width * 4, width * 4));
        }
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(zs);
        Chunk(ms, "IDAT"u8, z.ToArray());
        Chunk(ms, "IEND"u8, []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        s.Write(type);
        s.Write(data);
        var crc = new Crc32Png();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(len, crc.Value);
        s.Write(len);
    }

    /// <summary>The CRC-32 PNG chunks carry (polynomial 0xEDB88320).</summary>
    private struct Crc32Png
    {
        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            uint c = (uint)n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            return c;
        }).ToArray();

        private uint _c;
        private bool _started;

        public void Append(ReadOnlySpan<byte> data)
        {
            if (!_started) { _c = 0xFFFFFFFF; _started = true; }
            foreach (var b in data) _c = Table[(_c ^ b) & 0xFF] ^ (_c >> 8);
        }

        public readonly uint Value => ~_c;
    }
}
