using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Storage;

namespace QueryLake.Cli;

/// <summary>The embedded demo: a lake of synthetic driving scenes, built and queried through the public API.</summary>
internal static class Demo
{
    private static readonly string[] Weather = ["clear", "rain", "fog", "hail", "snow"];

    private static readonly Schema Scenes = new(
    [
        new Field("scene_id", DataType.Int64, nullable: false),
        new Field("drive_id", DataType.Int32, nullable: false),
        new Field("camera", DataType.DictionaryUtf8),
        new Field("weather", DataType.Utf8),
        new Field("captured_at", DataType.Timestamp("UTC")),
        new Field("image", new ImageType("png")),
        new Field("embedding", new EmbeddingType(8), nullable: false),
    ]);

    public static int Run(string? lakeDir)
    {
        bool temporary = lakeDir is null;
        lakeDir ??= Path.Combine(Path.GetTempPath(), "querylake-demo-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var lake = Lake.Open(lakeDir);
            if (lake.DatasetExists("scenes")) lake.DropDataset("scenes");
            Console.WriteLine($"lake: {lake.Path}");

            var scenes = lake.CreateDataset("scenes", Scenes);
            var v = scenes.Append(Enumerable.Range(0, 20).Select(i => MakeBatch(i * 5_000, 5_000, seed: i)));
            Report("ingested 100,000 scenes", v);

            var emptyImages = new List<long>();
            foreach (var b in v.Scan(["image"], withRowId: true))
            {
                var img = (BinaryArray)b.Column("image");
                var ids = (PrimitiveArray<long>)b.Column(RowId.ColumnName);
                for (int i = 0; i < b.Length; i++) if (img.IsNull(i) || img.GetBytes(i).Length == 0) emptyImages.Add(ids[i]);
            }
            v = scenes.Delete(emptyImages);
            Report($"flagged and deleted {emptyImages.Count:N0} scenes with empty images", v);

            v = scenes.AddColumn(new Field("is_night", DataType.Boolean), (b, i) =>
                ((PrimitiveArray<long>)b.Column("captured_at"))[i] / 3_600_000_000L % 24 is < 6 or >= 20);
            Report("derived column is_night from captured_at", v);
            scenes.CreateTag("clean-v1");

            var relabel = scenes.CreateBranch("relabel");
            relabel.Update((b, i) => b.Column("weather").GetValue(i) as string == "snow",
                new Dictionary<string, Func<RecordBatch, int, object?>> { ["weather"] = (_, _) => "hail" });
            Console.WriteLine($"branch 'relabel': snow relabelled as hail; main still has {CountWeather(scenes.Latest(), "snow"):N0} snow scenes");
            v = relabel.MergeInto("main");
            Report("merged 'relabel' into main", v);

            var night = v.Scan(["scene_id", "weather", "is_night"], withRowId: true)
                .SelectMany(b => Enumerable.Range(0, b.Length)
                    .Where(i => b.Column("weather").GetValue(i) as string == "hail" && b.Column("is_night").GetValue(i) is true)
                    .Select(i => ((PrimitiveArray<long>)b.Column(RowId.ColumnName))[i]))
                .ToList();
            var sample = v.Take(night.Take(5).ToList(), ["scene_id", "drive_id", "weather", "captured_at"]);
            Console.WriteLine($"night scenes with hail: {night.Count:N0}; the first five, fetched by row id:");
            for (int i = 0; i < sample.Length; i++)
                Console.WriteLine($"  scene {sample.Column("scene_id").GetValue(i),6}  drive {sample.Column("drive_id").GetValue(i),4}  {sample.Column("captured_at").GetValue(i):yyyy-MM-dd HH:mm}  {sample.Column("weather").GetValue(i)}");

            var tagged = scenes.CheckoutTag("clean-v1");
            Console.WriteLine($"time travel: tag clean-v1 is version {tagged.Version} with {CountWeather(tagged, "snow"):N0} snow scenes; latest has {CountWeather(scenes.Latest(), "snow"):N0}");
            var diff = scenes.Diff(tagged.Version, scenes.LatestVersion);
            Console.WriteLine($"diff clean-v1 → latest: {diff.Added.Count:N0} added, {diff.Deleted.Count:N0} deleted, {diff.Updated.Count:N0} rows in rewritten fragments");
            Console.WriteLine("versions of scenes:");
            foreach (var info in scenes.Versions())
                Console.WriteLine($"  v{info.Version,-3} {info.Timestamp:HH:mm:ss.fff}  {info.Operation,-11} {info.RowCount,8:N0} rows  {info.Detail}");
            var stats = v.Fragments[0].Statistics["captured_at"];
            Console.WriteLine($"fragment 0 statistics for captured_at: min {stats.Min}, max {stats.Max}, nulls {stats.NullCount}");

            // The same lake through the query language.
            using var session = Sessions.QueryLakeSession.Open(lake.Path);
            const string sql = "SELECT weather, count(*) AS scenes, count(*) FILTER (WHERE is_night) AS night, " +
                               "rank() OVER (ORDER BY count(*) DESC) AS rank FROM scenes GROUP BY weather ORDER BY scenes DESC";
            Console.WriteLine($"\nql> {sql};");
            ResultPrinter.Print(Console.Out, session.Query(sql), OutputFormat.Table);
            const string hail = "SELECT count(*) AS night_hail FROM scenes VERSION 4 WHERE weather = 'hail' AND is_night";
            Console.WriteLine($"ql> {hail};   -- time travel: before snow was relabelled");
            ResultPrinter.Print(Console.Out, session.Query(hail), OutputFormat.Table);
            return 0;
        }
        finally
        {
            if (temporary && Directory.Exists(lakeDir)) Directory.Delete(lakeDir, recursive: true);
        }
    }

    private static long CountWeather(DatasetSnapshot s, string weather) =>
        s.Scan(["weather"]).Sum(b => Enumerable.Range(0, b.Length).Count(i => b.Column("weather").GetValue(i) as string == weather));

    private static void Report(string what, DatasetSnapshot v) =>
        Console.WriteLine($"v{v.Version}: {what} → {v.RowCount:N0} rows in {v.Fragments.Count} fragment(s)");

    private static RecordBatch MakeBatch(long first, int rows, int seed)
    {
        var rng = new Random(seed);
        var builders = Scenes.Fields.Select(f => ArrayBuilder.Create(f.DataType)).ToArray();
        var start = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        for (long i = first; i < first + rows; i++)
        {
            builders[0].Append(i);
            builders[1].Append((int)(i / 250));
            builders[2].Append(i % 3 == 0 ? "front" : i % 3 == 1 ? "left" : "right");
            builders[3].Append(Weather[rng.Next(Weather.Length)]);
            builders[4].Append(start.AddMinutes(i * 7));
            builders[5].Append(rng.Next(200) == 0 ? Array.Empty<byte>() : FakePng(rng));
            ((FixedSizeListBuilder)builders[6]).Append(Enumerable.Range(0, 8).Select(_ => (float)rng.NextDouble()).ToArray());
        }
        return new RecordBatch(Scenes, builders.Select(b => b.Build()).ToArray(), rows);
    }

    private static byte[] FakePng(Random rng)
    {
        var bytes = new byte[64 + rng.Next(64)];
        rng.NextBytes(bytes);
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(bytes, 0);
        return bytes;
    }
}
