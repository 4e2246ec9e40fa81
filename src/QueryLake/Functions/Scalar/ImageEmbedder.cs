namespace QueryLake.Functions.Scalar;

/// <summary>
/// The small built-in image embedder behind <c>image_embedding(image)</c>: not a learned model but a fixed,
/// deterministic description of an image's layout, so that images of similar scenes (lighting, colour, texture such
/// as rain streaks or hail) lie close under cosine similarity. The image is divided into a 4 × 4 grid; each cell gives
/// four features: mean luma, warmth (red minus blue), contrast (luma standard deviation) and edge energy (mean
/// absolute luma difference to the right and lower neighbours). The 64 features are centred on typical values and
/// the vector is scaled to unit length. Identical pixels give identical vectors on every machine.
/// </summary>
internal static class ImageEmbedder
{
    public const int Grid = 4;
    public const int Dimension = Grid * Grid * 4;

    public static float[] Embed(int width, int height, ReadOnlySpan<byte> rgba)
    {
        int cells = Grid * Grid;
        var sum = new double[cells];
        var sum2 = new double[cells];
        var warm = new double[cells];
        var edge = new double[cells];
        var count = new long[cells];
        for (int y = 0; y < height; y++)
        {
            int cy = y * Grid / height;
            for (int x = 0; x < width; x++)
            {
                int c = cy * Grid + x * Grid / width, i = (y * width + x) * 4;
                double l = Luma(rgba, i);
                sum[c] += l;
                sum2[c] += l * l;
                warm[c] += (rgba[i] - rgba[i + 2]) / 255.0;
                double e = 0;
                if (x + 1 < width) e += Math.Abs(Luma(rgba, i + 4) - l);
                if (y + 1 < height) e += Math.Abs(Luma(rgba, i + width * 4) - l);
                edge[c] += e;
                count[c]++;
            }
        }
        var v = new float[Dimension];
        for (int c = 0; c < cells; c++)
        {
            double n = Math.Max(1, count[c]), mean = sum[c] / n;
            double std = Math.Sqrt(Math.Max(0, sum2[c] / n - mean * mean));
            v[c * 4] = (float)(mean - 0.35);
            v[c * 4 + 1] = (float)(warm[c] / n);
            v[c * 4 + 2] = (float)(2 * std - 0.15);
            v[c * 4 + 3] = (float)(4 * edge[c] / n - 0.15);
        }
        double norm = 0;
        foreach (var f in v) norm += (double)f * f;
        norm = Math.Sqrt(norm);
        if (norm > 0) for (int k = 0; k < v.Length; k++) v[k] = (float)(v[k] / norm);
        return v;
    }

    private static double Luma(ReadOnlySpan<byte> p, int i) => (0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2]) / 255;
}
