using System.Buffers.Binary;

namespace QueryLake.Formats.Images;

/// <summary>An image's format and size, read from its header without decoding pixels.</summary>
public readonly record struct ImageHeader(string Format, int Width, int Height, int Channels = 0)
{
    /// <summary>Reads the header of a PNG, JPEG (baseline or progressive), GIF, BMP or WebP image; null when the bytes
    /// are none of these or the header is damaged.</summary>
    public static ImageHeader? Read(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 24 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]) && b[12..16].SequenceEqual("IHDR"u8))
            return new ImageHeader("png", BinaryPrimitives.ReadInt32BigEndian(b[16..]), BinaryPrimitives.ReadInt32BigEndian(b[20..]),
                b.Length > 25 ? b[25] switch { 0 => 1, 2 => 3, 3 => 3, 4 => 2, 6 => 4, _ => 0 } : 0);
        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8) return Jpeg(b);
        if (b.Length >= 10 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8)))
            return new ImageHeader("gif", BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]), 3);
        if (b.Length >= 26 && b[0] == 'B' && b[1] == 'M')
            return new ImageHeader("bmp", BinaryPrimitives.ReadInt32LittleEndian(b[18..]), Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(b[22..])));
        if (b.Length >= 30 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8) && b[12..16].SequenceEqual("VP8X"u8))
            return new ImageHeader("webp", 1 + (b[24] | b[25] << 8 | b[26] << 16), 1 + (b[27] | b[28] << 8 | b[29] << 16));
        return null;
    }

    private static ImageHeader? Jpeg(ReadOnlySpan<byte> b)
    {
        int p = 2;
        while (p + 4 <= b.Length)
        {
            if (b[p] != 0xFF) return null;
            byte marker = b[p + 1];
            if (marker == 0xFF) { p++; continue; }
            if (marker is 0xD8 or 0x01 || marker is >= 0xD0 and <= 0xD7) { p += 2; continue; }
            int len = BinaryPrimitives.ReadUInt16BigEndian(b[(p + 2)..]);
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
                return p + 10 <= b.Length ? new ImageHeader("jpeg", BinaryPrimitives.ReadUInt16BigEndian(b[(p + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(b[(p + 5)..]), b[p + 9]) : null;
            if (len < 2) return null;
            p += 2 + len;
        }
        return null;
    }
}
