namespace QueryLake.Formats.Images;

/// <summary>
/// Decodes baseline and progressive Huffman JPEG (greyscale and YCbCr, any sampling factors, restart intervals) to
/// 8-bit RGBA, from the specification (ITU T.81). Arithmetic coding, lossless and 12-bit JPEG and CMYK are refused
/// with a clear reason. Every table index, length and marker is checked: damaged input throws
/// <see cref="InvalidDataException"/>, never reads out of bounds, and allocates only what the declared size needs.
/// </summary>
internal sealed class JpegDecoder
{
    private sealed class Component
    {
        public int Id, H, V, Tq, BlocksPerLine, BlocksPerColumn, DcTable, AcTable, Pred;
        public int[] Coefficients = [];
    }

    private sealed class Huffman
    {
        public readonly int[] MaxCode = new int[18];
        public readonly int[] ValPtr = new int[17];
        public readonly int[] MinCode = new int[17];
        public byte[] Values = [];
    }

    private static readonly int[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
        28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
        47, 55, 62, 63,
    ];

    private readonly byte[] _data;
    private int _pos;
    private readonly int[][] _quant = new int[4][];
    private readonly Huffman?[] _dc = new Huffman?[4], _ac = new Huffman?[4];
    private Component[] _components = [];
    private int _width, _height, _hmax, _vmax, _mcusPerLine, _mcusPerColumn, _restart;
    private bool _progressive;
    private int _eobrun;
    // Bit reader state.
    private int _bitBuffer, _bitCount;

    private JpegDecoder(byte[] data) => _data = data;

    public static (int Width, int Height, byte[] Rgba) Decode(byte[] jpeg) => new JpegDecoder(jpeg).Run();

    private int U8() => _pos < _data.Length ? _data[_pos++] : throw new InvalidDataException("the JPEG ends early");

    private int U16() => U8() << 8 | U8();

    private (int Width, int Height, byte[] Rgba) Run()
    {
        if (U16() != 0xFFD8) throw new InvalidDataException("not a JPEG (no SOI marker)");
        bool frame = false;
        while (true)
        {
            int b = U8();
            if (b != 0xFF) throw new InvalidDataException($"expected a marker at byte {_pos - 1}");
            int marker = U8();
            while (marker == 0xFF) marker = U8();
            if (marker == 0xD9) break; // EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue;
            int length = U16();
            if (length < 2 || _pos + length - 2 > _data.Length) throw new InvalidDataException($"marker 0x{marker:X2} declares {length} bytes past the end");
            int end = _pos + length - 2;
            switch (marker)
            {
                case 0xDB: ReadQuant(end); break;
                case 0xC4: ReadHuffman(end); break;
                case 0xC0 or 0xC1 or 0xC2: ReadFrame(marker == 0xC2); frame = true; break;
                case 0xC3 or >= 0xC5 and <= 0xC7 or >= 0xC9 and <= 0xCB or >= 0xCD and <= 0xCF:
                    throw new InvalidDataException($"JPEG coding 0x{marker:X2} (lossless, hierarchical or arithmetic) is not supported");
                case 0xDD: _restart = U16(); break;
                case 0xDA:
                    if (!frame) throw new InvalidDataException("a scan comes before the frame header");
                    ReadScan();
                    continue; // the scan reader leaves _pos at the next marker
            }
            _pos = end;
        }
        if (!frame) throw new InvalidDataException("the JPEG has no frame");
        return Output();
    }

    private void ReadQuant(int end)
    {
        while (_pos < end)
        {
            int pq = U8(), tq = pq & 15;
            if (tq > 3) throw new InvalidDataException($"quantization table {tq} does not exist");
            var table = new int[64];
            for (int i = 0; i < 64; i++) table[ZigZag[i]] = pq >> 4 == 0 ? U8() : U16();
            _quant[tq] = table;
        }
    }

    private void ReadHuffman(int end)
    {
        while (_pos < end)
        {
            int tc = U8(), th = tc & 15;
            if (th > 3 || tc >> 4 > 1) throw new InvalidDataException($"Huffman table {tc:X2} does not exist");
            var counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) total += counts[i] = U8();
            if (total > 256 || _pos + total > _data.Length) throw new InvalidDataException("a Huffman table is too long");
            var h = new Huffman { Values = _data.AsSpan(_pos, total).ToArray() };
            _pos += total;
            int code = 0, k = 0;
            for (int len = 1; len <= 16; len++)
            {
                h.ValPtr[len] = k;
                h.MinCode[len] = code;
                code += counts[len];
                k += counts[len];
                h.MaxCode[len] = counts[len] > 0 ? code - 1 : -1;
                code <<= 1;
            }
            h.MaxCode[17] = int.MaxValue;
            (tc >> 4 == 0 ? _dc : _ac)[th] = h;
        }
    }

    private void ReadFrame(bool progressive)
    {
        _progressive = progressive;
        if (U8() != 8) throw new InvalidDataException("only 8-bit JPEG is supported");
        _height = U16();
        _width = U16();
        int n = U8();
        if (_width == 0 || _height == 0 || (long)_width * _height > PngDecoder.MaxPixels) throw new InvalidDataException($"image size {_width}×{_height} is invalid or too large");
        if (n is not (1 or 3)) throw new InvalidDataException($"{n}-component JPEG (CMYK?) is not supported");
        _components = new Component[n];
        for (int i = 0; i < n; i++)
        {
            var c = new Component { Id = U8() };
            int s = U8();
            (c.H, c.V, c.Tq) = (s >> 4, s & 15, U8());
            if (c.H is < 1 or > 4 || c.V is < 1 or > 4 || c.Tq > 3) throw new InvalidDataException("invalid component sampling or table");
            _components[i] = c;
        }
        _hmax = _components.Max(c => c.H);
        _vmax = _components.Max(c => c.V);
        _mcusPerLine = (_width + 8 * _hmax - 1) / (8 * _hmax);
        _mcusPerColumn = (_height + 8 * _vmax - 1) / (8 * _vmax);
        foreach (var c in _components)
        {
            c.BlocksPerLine = _mcusPerLine * c.H;
            c.BlocksPerColumn = _mcusPerColumn * c.V;
            c.Coefficients = new int[c.BlocksPerLine * c.BlocksPerColumn * 64];
        }
    }

    private void ReadScan()
    {
        int n = U8();
        if (n is < 1 or > 4) throw new InvalidDataException($"a scan names {n} components");
        var scan = new Component[n];
        for (int i = 0; i < n; i++)
        {
            int id = U8(), t = U8();
            scan[i] = _components.FirstOrDefault(c => c.Id == id) ?? throw new InvalidDataException($"a scan names unknown component {id}");
            scan[i].DcTable = t >> 4;
            scan[i].AcTable = t & 15;
            if (scan[i].DcTable > 3 || scan[i].AcTable > 3) throw new InvalidDataException("a scan names a Huffman table that does not exist");
        }
        int ss = U8(), se = U8(), a = U8(), ah = a >> 4, al = a & 15;
        if (!_progressive) (ss, se, ah, al) = (0, 63, 0, 0);
        if (ss > 63 || se > 63 || ss > se || al > 13) throw new InvalidDataException("invalid spectral selection or approximation");
        foreach (var c in scan) c.Pred = 0;
        _eobrun = 0;
        _bitBuffer = 0;
        _bitCount = 0;
        bool single = n == 1;
        int unitsX = single ? (int)Math.Ceiling(Math.Ceiling(_width * scan[0].H / (double)_hmax) / 8) : _mcusPerLine;
        int unitsY = single ? (int)Math.Ceiling(Math.Ceiling(_height * scan[0].V / (double)_vmax) / 8) : _mcusPerColumn;
        int total = unitsX * unitsY, done = 0;
        while (done < total)
        {
            int interval = _restart > 0 ? Math.Min(_restart, total - done) : total - done;
            for (int u = 0; u < interval; u++, done++)
            {
                int ux = done % unitsX, uy = done / unitsX;
                if (single) Block(scan[0], uy, ux, ss, se, ah, al);
                else
                    foreach (var c in scan)
                        for (int v = 0; v < c.V; v++)
                            for (int h = 0; h < c.H; h++)
                                Block(c, uy * c.V + v, ux * c.H + h, ss, se, ah, al);
            }
            // Restart: realign to a byte and expect RSTn (or the end of the scan).
            _bitCount = 0;
            _bitBuffer = 0;
            SkipToMarker();
            if (done < total)
            {
                if (_pos + 1 < _data.Length && _data[_pos] == 0xFF && _data[_pos + 1] is >= 0xD0 and <= 0xD7) _pos += 2;
                else throw new InvalidDataException("a restart marker is missing");
                foreach (var c in scan) c.Pred = 0;
                _eobrun = 0;
            }
        }
        SkipToMarker();
    }

    /// <summary>Moves to the next marker (0xFF then a byte other than 0x00 and 0xFF), past any unused scan bytes.</summary>
    private void SkipToMarker()
    {
        while (_pos + 1 < _data.Length && !(_data[_pos] == 0xFF && _data[_pos + 1] is not (0x00 or 0xFF))) _pos++;
        if (_pos + 1 >= _data.Length) throw new InvalidDataException("the JPEG ends inside a scan");
    }

    private int Bit()
    {
        if (_bitCount == 0)
        {
            if (_pos >= _data.Length) throw new InvalidDataException("the JPEG ends inside a scan");
            int b = _data[_pos];
            if (b == 0xFF)
            {
                int next = _pos + 1 < _data.Length ? _data[_pos + 1] : -1;
                if (next == 0) _pos += 2;
                else { _bitBuffer = 0; _bitCount = 8; return 0; } // a marker: pad with zeros (damaged or short scan)
            }
            else _pos++;
            _bitBuffer = b;
            _bitCount = 8;
        }
        _bitCount--;
        return (_bitBuffer >> _bitCount) & 1;
    }

    private int Bits(int n)
    {
        int v = 0;
        for (int i = 0; i < n; i++) v = v << 1 | Bit();
        return v;
    }

    private static int Extend(int v, int n) => n == 0 ? 0 : v < 1 << (n - 1) ? v - (1 << n) + 1 : v;

    private int DecodeHuffman(Huffman? h)
    {
        if (h is null) throw new InvalidDataException("a scan uses a Huffman table that was never defined");
        int code = Bit(), len = 1;
        while (code > h.MaxCode[len])
        {
            code = code << 1 | Bit();
            if (++len > 16) throw new InvalidDataException("an invalid Huffman code");
        }
        int index = h.ValPtr[len] + code - h.MinCode[len];
        return (uint)index < (uint)h.Values.Length ? h.Values[index] : throw new InvalidDataException("an invalid Huffman code");
    }

    private void Block(Component c, int row, int col, int ss, int se, int ah, int al)
    {
        if (row >= c.BlocksPerColumn || col >= c.BlocksPerLine) return;
        int offset = (row * c.BlocksPerLine + col) * 64;
        var z = c.Coefficients;
        if (!_progressive)
        {
            int t = DecodeHuffman(_dc[c.DcTable]);
            if (t > 11) throw new InvalidDataException("a DC difference is too large");
            c.Pred += Extend(Bits(t), t);
            z[offset] = c.Pred;
            for (int k = 1; k < 64;)
            {
                int rs = DecodeHuffman(_ac[c.AcTable]), r = rs >> 4, s = rs & 15;
                if (s == 0) { if (r != 15) break; k += 16; continue; }
                k += r;
                if (k > 63) throw new InvalidDataException("AC coefficients run past the block");
                z[offset + ZigZag[k++]] = Extend(Bits(s), s);
            }
            return;
        }
        if (ss == 0)
        {
            // DC scans.
            if (ah == 0)
            {
                int t = DecodeHuffman(_dc[c.DcTable]);
                if (t > 11) throw new InvalidDataException("a DC difference is too large");
                c.Pred += Extend(Bits(t), t);
                z[offset] = c.Pred << al;
            }
            else if (Bit() == 1) z[offset] |= 1 << al;
            return;
        }
        if (ah == 0)
        {
            // AC first pass.
            if (_eobrun > 0) { _eobrun--; return; }
            for (int k = ss; k <= se;)
            {
                int rs = DecodeHuffman(_ac[c.AcTable]), r = rs >> 4, s = rs & 15;
                if (s == 0)
                {
                    if (r < 15) { _eobrun = (1 << r) - 1 + (r > 0 ? Bits(r) : 0); break; }
                    k += 16;
                    continue;
                }
                k += r;
                if (k > 63) throw new InvalidDataException("AC coefficients run past the block");
                z[offset + ZigZag[k++]] = Extend(Bits(s), s) * (1 << al);
            }
            return;
        }
        // AC refinement.
        int p1 = 1 << al, m1 = -1 << al, kk = ss;
        if (_eobrun <= 0)
        {
            for (; kk <= se;)
            {
                int rs = DecodeHuffman(_ac[c.AcTable]), r = rs >> 4, s = rs & 15, value = 0;
                if (s == 0)
                {
                    if (r < 15) { _eobrun = (1 << r) + (r > 0 ? Bits(r) : 0); break; }
                }
                else
                {
                    if (s != 1) throw new InvalidDataException("an invalid refinement code");
                    value = Bit() == 1 ? p1 : m1;
                }
                while (kk <= se)
                {
                    ref int coef = ref z[offset + ZigZag[kk]];
                    if (coef != 0)
                    {
                        if (Bit() == 1 && (coef & p1) == 0) coef += coef >= 0 ? p1 : m1;
                    }
                    else
                    {
                        if (r == 0) { if (value != 0) coef = value; kk++; break; }
                        r--;
                    }
                    kk++;
                }
            }
        }
        if (_eobrun > 0)
        {
            for (; kk <= se; kk++)
            {
                ref int coef = ref z[offset + ZigZag[kk]];
                if (coef != 0 && Bit() == 1 && (coef & p1) == 0) coef += coef >= 0 ? p1 : m1;
            }
            _eobrun--;
        }
    }

    private static readonly float[] Cos = BuildCos();

    private static float[] BuildCos()
    {
        var t = new float[64];
        for (int x = 0; x < 8; x++)
            for (int u = 0; u < 8; u++)
                t[x * 8 + u] = (float)((u == 0 ? 1 / Math.Sqrt(2) : 1) * Math.Cos((2 * x + 1) * u * Math.PI / 16));
        return t;
    }

    /// <summary>Dequantizes and inverse-transforms every block into the component's sample plane.</summary>
    private byte[] Plane(Component c)
    {
        var q = _quant[c.Tq] ?? throw new InvalidDataException($"quantization table {c.Tq} was never defined");
        int w = c.BlocksPerLine * 8, h = c.BlocksPerColumn * 8;
        var plane = new byte[w * h];
        var block = new float[64];
        var tmp = new float[64];
        for (int by = 0; by < c.BlocksPerColumn; by++)
            for (int bx = 0; bx < c.BlocksPerLine; bx++)
            {
                int offset = (by * c.BlocksPerLine + bx) * 64;
                for (int i = 0; i < 64; i++) block[i] = c.Coefficients[offset + i] * q[i];
                // Rows then columns of the separable 2-D IDCT.
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++)
                    {
                        float s = 0;
                        for (int u = 0; u < 8; u++) s += Cos[x * 8 + u] * block[y * 8 + u];
                        tmp[y * 8 + x] = s / 2;
                    }
                for (int x = 0; x < 8; x++)
                    for (int y = 0; y < 8; y++)
                    {
                        float s = 0;
                        for (int v = 0; v < 8; v++) s += Cos[y * 8 + v] * tmp[v * 8 + x];
                        int value = (int)MathF.Round(s / 2 + 128);
                        plane[(by * 8 + y) * w + bx * 8 + x] = (byte)Math.Clamp(value, 0, 255);
                    }
            }
        return plane;
    }

    private (int, int, byte[]) Output()
    {
        var planes = _components.Select(Plane).ToArray();
        var rgba = new byte[(long)_width * _height * 4];
        for (int y = 0; y < _height; y++)
            for (int x = 0; x < _width; x++)
            {
                int o = (y * _width + x) * 4;
                float Sample(int i)
                {
                    var c = _components[i];
                    int sx = x * c.H / _hmax, sy = y * c.V / _vmax;
                    return planes[i][sy * c.BlocksPerLine * 8 + sx];
                }
                if (_components.Length == 1)
                {
                    byte g = (byte)Sample(0);
                    rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
                }
                else
                {
                    float Y = Sample(0), cb = Sample(1) - 128, cr = Sample(2) - 128;
                    rgba[o] = (byte)Math.Clamp((int)MathF.Round(Y + 1.402f * cr), 0, 255);
                    rgba[o + 1] = (byte)Math.Clamp((int)MathF.Round(Y - 0.344136f * cb - 0.714136f * cr), 0, 255);
                    rgba[o + 2] = (byte)Math.Clamp((int)MathF.Round(Y + 1.772f * cb), 0, 255);
                }
                rgba[o + 3] = 255;
            }
        return (_width, _height, rgba);
    }
}
