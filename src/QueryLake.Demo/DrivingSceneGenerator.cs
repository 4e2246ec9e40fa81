using System.Globalization;
using System.Text;
using System.Text.Json;
using QueryLake.Formats.Images;
using QueryLake.Functions.Scalar;

namespace QueryLake.Demo;

/// <summary>
/// Writes a realistic synthetic driving-scene dataset, the raw material of the demo and of end-to-end tests: drives
/// of front-camera frames rendered as PNG (day, dusk or night lighting; clear, rain, fog or hail weather; cars, trucks
/// and pedestrians), labels that arrive separately as JSON Lines, and the predictions of a toy weather model (a
/// nearest-centroid classifier over the built-in image embedding, trained on frames of its own that are not in the
/// dataset). A few
/// frames are written damaged (truncated) or empty, as real uploads are. Lighting is not labelled: the demo derives
/// it from the pixels. The same seed gives byte-identical files.
/// </summary>
public sealed class DrivingSceneGenerator
{
    private static readonly string[] Cameras = ["front", "left", "right"];

    /// <summary>Number of drives (default 48). Drives 3, 7, 12, 29 and 40 are fixed scenarios (night rain, night
    /// hail, dusk fog, night hail, day hail) so that every story has its rare cases.</summary>
    public int Drives { get; init; } = 48;

    /// <summary>Frames per drive (default 50).</summary>
    public int FramesPerDrive { get; init; } = 50;

    /// <summary>The seed of everything random.</summary>
    public int Seed { get; init; } = 2026;

    /// <summary>Writes the frames under <c>directory/frames</c>, <c>labels.jsonl</c> and <c>predictions.csv</c>.</summary>
    public DrivingSceneFiles Generate(string directory)
    {
        directory = Path.GetFullPath(directory);
        var frames = Path.Combine(directory, "frames");
        Directory.CreateDirectory(frames);
        var rng = new Random(Seed);
        var labels = new StringBuilder();
        var embedded = new List<(string Path, float[] Embedding)>();
        int written = 0, damaged = 0;
        for (int drive = 0; drive < Drives; drive++)
        {
            var (lighting, weather) = Scenario(drive, rng);
            var start = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(drive / 3)
                .AddHours(lighting switch { "day" => 9 + rng.Next(7), "dusk" => 18, _ => (22 + rng.Next(5)) % 24 })
                .AddMinutes(rng.Next(60));
            for (int f = 0; f < FramesPerDrive; f++)
            {
                string frame = $"d{drive:D3}-f{f:D3}", path = Path.Combine(frames, frame + ".png");
                var (rgba, objects) = SceneRenderer.Render(lighting, weather, rng);
                var png = PngEncoder.Encode(SceneRenderer.Width, SceneRenderer.Height, rgba);
                int fate = rng.Next(160);
                if (fate == 0) { png = png[..(png.Length * 2 / 5)]; damaged++; }
                else if (fate == 1) { png = []; damaged++; }
                else embedded.Add((path, ImageEmbedder.Embed(SceneRenderer.Width, SceneRenderer.Height, rgba)));
                File.WriteAllBytes(path, png);
                written++;
                labels.Append(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["path"] = path, ["frame"] = frame, ["drive"] = drive, ["camera"] = Cameras[f % 3],
                    ["captured_at"] = start.AddSeconds(f * 2).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    ["weather"] = weather, ["objects"] = objects,
                })).Append('\n');
            }
        }
        var labelsPath = Path.Combine(directory, "labels.jsonl");
        File.WriteAllText(labelsPath, labels.ToString());
        var predictionsPath = Path.Combine(directory, "predictions.csv");
        File.WriteAllText(predictionsPath, ToyModelPredictions(embedded));
        return new DrivingSceneFiles(Path.Combine(frames, "*.png"), labelsPath, predictionsPath, written, damaged);
    }

    private static (string Lighting, string Weather) Scenario(int drive, Random rng)
    {
        int l = rng.Next(10), w = rng.Next(100);
        return drive switch
        {
            3 => ("night", "rain"),
            7 or 29 => ("night", "hail"),
            12 => ("dusk", "fog"),
            40 => ("day", "hail"),
            _ => (l < 5 ? "day" : l < 7 ? "dusk" : "night", w < 45 ? "clear" : w < 72 ? "rain" : w < 92 ? "fog" : "hail"),
        };
    }

    /// <summary>A nearest-centroid weather classifier: one mean embedding per weather over training frames of its own
    /// (rendered from another seed, mostly by day, as a model trained on last summer's data would be), then every
    /// frame gets the weather of the most similar centroid (cosine).</summary>
    private string ToyModelPredictions(List<(string Path, float[] Embedding)> frames)
    {
        var rng = new Random(Seed + 1);
        var training = new List<(string Weather, float[] Embedding)>();
        foreach (var weather in new[] { "clear", "rain", "fog", "hail" })
            foreach (var (lighting, count) in new[] { ("day", 24), ("dusk", 6), ("night", 2) })
                for (int k = 0; k < count; k++)
                {
                    var (rgba, _) = SceneRenderer.Render(lighting, weather, rng);
                    training.Add((weather, ImageEmbedder.Embed(SceneRenderer.Width, SceneRenderer.Height, rgba)));
                }
        var centroids = training.GroupBy(f => f.Weather).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var c = new double[ImageEmbedder.Dimension];
                foreach (var f in g) for (int k = 0; k < c.Length; k++) c[k] += f.Embedding[k];
                double norm = Math.Sqrt(c.Sum(x => x * x));
                return (Weather: g.Key, Centroid: c.Select(x => x / norm).ToArray());
            }).ToList();
        var csv = new StringBuilder("path,prediction,confidence\n");
        foreach (var f in frames)
        {
            var best = centroids.Select(c => (c.Weather, Score: c.Centroid.Select((x, k) => x * f.Embedding[k]).Sum()))
                .MaxBy(c => c.Score);
            csv.Append(CultureInfo.InvariantCulture, $"{f.Path},{best.Weather},{best.Score:F4}\n");
        }
        return csv.ToString();
    }
}
