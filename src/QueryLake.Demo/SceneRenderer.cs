namespace QueryLake.Demo;

/// <summary>Draws one synthetic front-camera driving scene as RGBA pixels: sky and ground coloured by the lighting, a
/// road in perspective with lane marks, cars and pedestrians, headlights at night, and the weather (rain streaks,
/// fog, hail stones) on top, with sensor noise. Deterministic for a given random source.</summary>
internal static class SceneRenderer
{
    public const int Width = 96;
    public const int Height = 64;
    private const int Horizon = 28;

    private readonly record struct Rgb(double R, double G, double B)
    {
        public Rgb Mix(Rgb o, double t) => new(R + (o.R - R) * t, G + (o.G - G) * t, B + (o.B - B) * t);
    }

    private sealed record Palette(Rgb SkyTop, Rgb SkyHorizon, Rgb Ground, Rgb Road, Rgb Lane, Rgb Fog, Rgb Streak);

    private static readonly Dictionary<string, Palette> Palettes = new()
    {
        ["day"] = new(new(105, 165, 235), new(195, 218, 240), new(96, 128, 78), new(122, 122, 128), new(238, 236, 220), new(205, 205, 210), new(215, 220, 230)),
        ["dusk"] = new(new(62, 52, 104), new(232, 128, 72), new(58, 56, 46), new(78, 74, 80), new(196, 176, 136), new(104, 92, 96), new(150, 140, 150)),
        ["night"] = new(new(8, 10, 24), new(24, 24, 44), new(16, 18, 16), new(34, 34, 40), new(140, 140, 112), new(40, 40, 46), new(90, 92, 110)),
    };

    private static readonly Rgb[] CarColours = [new(200, 30, 30), new(30, 60, 170), new(230, 230, 230), new(30, 30, 30), new(150, 150, 155), new(240, 200, 40)];

    /// <summary>Renders a scene; returns its pixels and the objects drawn in it.</summary>
    public static (byte[] Rgba, List<string> Objects) Render(string lighting, string weather, Random rng)
    {
        var p = Palettes[lighting];
        var px = new Rgb[Width * Height];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                px[y * Width + x] = y < Horizon ? p.SkyTop.Mix(p.SkyHorizon, y / (double)Horizon) : p.Ground;
        // The road: a trapezoid from the bottom edge to the horizon, with a dashed centre line.
        for (int y = Horizon; y < Height; y++)
        {
            double t = (y - Horizon) / (double)(Height - Horizon);
            int half = (int)(4 + t * 40), centre = Width / 2;
            for (int x = centre - half; x <= centre + half; x++)
                if (x >= 0 && x < Width) px[y * Width + x] = p.Road;
            if ((y / 4) % 2 == 0) px[y * Width + centre] = p.Lane;
        }
        if (lighting == "night")
            for (int y = Horizon + 10; y < Height; y++)
                for (int x = 0; x < Width; x++)
                {
                    double dx = (x - Width / 2.0) / (8 + (y - Horizon) * 0.9), glow = Math.Max(0, 1 - dx * dx) * (y - Horizon) / (double)(Height - Horizon);
                    px[y * Width + x] = px[y * Width + x].Mix(new(190, 180, 140), 0.55 * glow);
                }
        var objects = new List<string>();
        int cars = rng.Next(4);
        for (int k = 0; k < cars; k++)
        {
            int y = Horizon + 4 + rng.Next(Height - Horizon - 12), size = 3 + (y - Horizon) / 3;
            int x = Width / 2 + rng.Next(-(y - Horizon), y - Horizon + 1) - size / 2;
            var colour = CarColours[rng.Next(CarColours.Length)];
            if (lighting != "day") colour = colour.Mix(new(0, 0, 0), lighting == "night" ? 0.75 : 0.4);
            Fill(px, x, y - size / 2, size, size / 2 + 1, colour);
            if (lighting != "day") { Fill(px, x, y, 1, 1, new(255, 40, 30)); Fill(px, x + size - 1, y, 1, 1, new(255, 40, 30)); }
            objects.Add(size > 12 ? "truck" : "car");
        }
        if (rng.Next(3) == 0)
        {
            int y = Horizon + 6 + rng.Next(Height - Horizon - 10), h = 3 + (y - Horizon) / 4, x = rng.Next(2) == 0 ? 6 + rng.Next(12) : Width - 18 + rng.Next(12);
            Fill(px, x, y - h, Math.Max(1, h / 3), h, lighting == "night" ? new(60, 55, 50) : new(70, 40, 110));
            objects.Add("pedestrian");
        }
        switch (weather)
        {
            case "rain":
                for (int k = 0; k < 70; k++)
                {
                    int x0 = rng.Next(Width), y0 = rng.Next(Height);
                    for (int s = 0; s < 6; s++) Blend(px, x0 + s / 2, y0 + s, p.Streak, 0.5);
                }
                break;
            case "fog":
                for (int y = 0; y < Height; y++)
                {
                    double f = 0.75 - 0.35 * Math.Abs(y - Horizon) / Height;
                    for (int x = 0; x < Width; x++) px[y * Width + x] = px[y * Width + x].Mix(p.Fog, f);
                }
                break;
            case "hail":
                for (int k = 0; k < 90; k++)
                {
                    int x0 = rng.Next(Width - 1), y0 = rng.Next(Height - 1);
                    for (int d = 0; d < 4; d++) Blend(px, x0 + d % 2, y0 + d / 2, new(246, 246, 250), 0.9);
                }
                break;
        }
        var rgba = new byte[Width * Height * 4];
        for (int i = 0; i < px.Length; i++)
        {
            rgba[i * 4] = Channel(px[i].R + rng.Next(-4, 5));
            rgba[i * 4 + 1] = Channel(px[i].G + rng.Next(-4, 5));
            rgba[i * 4 + 2] = Channel(px[i].B + rng.Next(-4, 5));
            rgba[i * 4 + 3] = 255;
        }
        return (rgba, objects);
    }

    private static byte Channel(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);

    private static void Fill(Rgb[] px, int x, int y, int w, int h, Rgb c)
    {
        for (int yy = Math.Max(0, y); yy < Math.Min(Height, y + h); yy++)
            for (int xx = Math.Max(0, x); xx < Math.Min(Width, x + w); xx++)
                px[yy * Width + xx] = c;
    }

    private static void Blend(Rgb[] px, int x, int y, Rgb c, double t)
    {
        if (x >= 0 && x < Width && y >= 0 && y < Height) px[y * Width + x] = px[y * Width + x].Mix(c, t);
    }
}
