using System.Buffers.Binary;
using System.IO.Compression;

namespace QueryLake.Formats.Images;

/// <summary>
/// Decodes PNG images (all colour types — grey, RGB, palette, grey+alpha, RGBA — bit depths 1 to 16, Adam7
/// interlacing) to 8-bit RGBA pixels, from the specification. Everything is checked: chunk lengths and CRC-free
/// structure, dimensions (at most 2^26 pixels), the decompressed size, filter types and palette indices; damaged
/// input throws <see cref="InvalidDataException"/> with the reason, never reads out of bounds, and never allocates
/// more than the declared image needs.
/// </summary>
internal static class PngDecoder
{
    public const long MaxPixels = 1L << 26;

    public static (int Width, int Height, byte[] Rgba) Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            throw new InvalidDataException("not a PNG (bad signature)");
        int pos = 8, width = 0, height = 0, depth = 0, color = -1, interlace = 0;
        byte[]? palette = null;
        var idat = new MemoryStream();
        bool end = false;
        while (!end)
        {
            if (pos + 8 > png.Length) throw new InvalidDataException("the PNG ends before its IEND chunk");
            int len = BinaryPrimitives.ReadInt32BigEndian(png[pos..]);
            var type = png.Slice(pos + 4, 4);
            if (len < 0 || len > png.Length - pos - 12) throw new InvalidDataException($"a chunk of {len} bytes runs past the end of the PNG");
            var data = png.Slice(pos + 8, len);
            if (type.SequenceEqual("IHDR"u8))
            {
                if (len < 13) throw new InvalidDataException("IHDR is too short");
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                depth = data[8];
                color = data[9];
                interlace = data[12];
                if (width <= 0 || height <= 0 || (long)width * height > MaxPixels) throw new InvalidDataException($"image size {width}×{height} is invalid or too large");
                bool ok = color switch { 0 => depth is 1 or 2 or 4 or 8 or 16, 3 => depth is 1 or 2 or 4 or 8, 2 or 4 or 6 => depth is 8 or 16, _ => false };
                if (!ok) throw new InvalidDataException($"colour type {color} with bit depth {depth} is not valid PNG");
                if (data[10] != 0 || data[11] != 0 || interlace > 1) throw new InvalidDataException("unknown compression, filter or interlace method");
            }
            else if (type.SequenceEqual("PLTE"u8)) palette = data.ToArray();
            else if (type.SequenceEqual("IDAT"u8)) idat.Write(data);
            else if (type.SequenceEqual("IEND"u8)) end = true;
            pos += 12 + len;
        }
        if (color < 0) throw new InvalidDataException("the PNG has no IHDR chunk");
        if (color == 3 && palette is null) throw new InvalidDataException("a palette image has no PLTE chunk");
        int channels = color switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bitsPerPixel = channels * depth;
        int bytesPerPixel = Math.Max(1, bitsPerPixel / 8);
        // The decompressed size the image needs: one filter byte per row of each pass.
        long needed = 0;
        foreach (var (pw, ph) in Passes(width, height, interlace)) if (pw > 0 && ph > 0) needed += ph * (1 + ((long)pw * bitsPerPixel + 7) / 8);
        var raw = Inflate(idat.ToArray(), needed);
        var rgba = new byte[(long)width * height * 4];
        int at = 0, pass = 0;
        foreach (var (pw, ph) in Passes(width, height, interlace))
        {
            if (pw == 0 || ph == 0) { pass++; continue; }
            int stride = (int)(((long)pw * bitsPerPixel + 7) / 8);
            var prev = new byte[stride];
            var line = new byte[stride];
            for (int y = 0; y < ph; y++)
            {
                byte filter = raw[at++];
                Array.Copy(raw, at, line, 0, stride);
                at += stride;
                Unfilter(filter, line, prev, bytesPerPixel);
                for (int x = 0; x < pw; x++)
                {
                    var (px, py) = interlace == 0 ? (x, y) : Adam7(pass, x, y);
                    Pixel(line, x, depth, color, palette, rgba.AsSpan((int)(((long)py * width + px) * 4), 4));
                }
                (prev, line) = (line, prev);
            }
            pass++;
        }
        return (width, height, rgba);
    }

    private static readonly int[] StartX = [0, 4, 0, 2, 0, 1, 0], StartY = [0, 0, 4, 0, 2, 0, 1], StepX = [8, 8, 4, 4, 2, 2, 1], StepY = [8, 8, 8, 4, 4, 2, 2];

    private static IEnumerable<(int W, int H)> Passes(int width, int height, int interlace)
    {
        if (interlace == 0) { yield return (width, height); yield break; }
        for (int p = 0; p < 7; p++)
            yield return ((width - StartX[p] + StepX[p] - 1) / StepX[p], (height - StartY[p] + StepY[p] - 1) / StepY[p]);
    }

    private static (int X, int Y) Adam7(int pass, int x, int y) => (StartX[pass] + x * StepX[pass], StartY[pass] + y * StepY[pass]);

    private static byte[] Inflate(byte[] compressed, long needed)
    {
        if (needed > int.MaxValue) throw new InvalidDataException("the image is too large");
        // DEFLATE expands at most about 1032:1, so data this short cannot hold the image its header claims (a damaged
        // size must not allocate gigabytes before the data runs out).
        if (needed > 1032L * compressed.Length + 1024)
            throw new InvalidDataException($"the image data ({compressed.Length} bytes compressed) is too short for the {needed} bytes its size needs");
        var output = new byte[needed];
        try
        {
            using var z = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            int total = 0;
            while (total < output.Length)
            {
                int n = z.Read(output, total, output.Length - total);
                if (n == 0) throw new InvalidDataException($"the image data holds {total} bytes where {needed} are needed");
                total += n;
            }
        }
        catch (InvalidDataException) { throw; }
        catch (Exception e) when (e is IOException or NotSupportedException) { throw new InvalidDataException("the image data is corrupt: " + e.Message, e); }
        return output;
    }

    private static void Unfilter(byte filter, byte[] line, byte[] prev, int bpp)
    {
        switch (filter)
        {
            case 0: break;
            case 1: for (int i = bpp; i < line.Length; i++) line[i] += line[i - bpp]; break;
            case 2: for (int i = 0; i < line.Length; i++) line[i] += prev[i]; break;
            case 3: for (int i = 0; i < line.Length; i++) line[i] += (byte)(((i >= bpp ? line[i - bpp] : 0) + prev[i]) >> 1); break;
            case 4:
                for (int i = 0; i < line.Length; i++)
                {
                    int a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    line[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default: throw new InvalidDataException($"unknown row filter {filter}");
        }
    }

    private static int Sample(byte[] line, int index, int depth) => depth switch
    {
        8 => line[index],
        16 => ((line[index * 2] << 8 | line[index * 2 + 1]) * 255 + 32767) / 65535, // rounded to 8 bits
        _ => (line[index * depth / 8] >> (8 - depth - index * depth % 8)) & ((1 << depth) - 1),
    };

    private static void Pixel(byte[] line, int x, int depth, int color, byte[]? palette, Span<byte> rgba)
    {
        int Scale(int v) => depth switch { 1 => v * 255, 2 => v * 85, 4 => v * 17, _ => v };
        switch (color)
        {
            case 0: { byte g = (byte)Scale(Sample(line, x, depth)); rgba[0] = rgba[1] = rgba[2] = g; rgba[3] = 255; break; }
            case 2: rgba[0] = (byte)Sample(line, x * 3, depth); rgba[1] = (byte)Sample(line, x * 3 + 1, depth); rgba[2] = (byte)Sample(line, x * 3 + 2, depth); rgba[3] = 255; break;
            case 3:
                {
                    int i = Sample(line, x, depth);
                    if (i * 3 + 2 >= palette!.Length) throw new InvalidDataException($"palette index {i} is outside the palette of {palette.Length / 3} colours");
                    rgba[0] = palette[i * 3]; rgba[1] = palette[i * 3 + 1]; rgba[2] = palette[i * 3 + 2]; rgba[3] = 255;
                    break;
                }
            case 4: { byte g = (byte)Sample(line, x * 2, depth); rgba[0] = rgba[1] = rgba[2] = g; rgba[3] = (byte)Sample(line, x * 2 + 1, depth); break; }
            default: rgba[0] = (byte)Sample(line, x * 4, depth); rgba[1] = (byte)Sample(line, x * 4 + 1, depth); rgba[2] = (byte)Sample(line, x * 4 + 2, depth); rgba[3] = (byte)Sample(line, x * 4 + 3, depth); break;
        }
    }
}
