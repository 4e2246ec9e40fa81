namespace QueryLake.Demo;

/// <summary>
/// The demo's story, told in the query language over the files of <see cref="DrivingSceneGenerator"/>: ingest the
/// frames; labels arriving separately; flag damaged samples; enrich (brightness, then lighting, then an embedding);
/// find night scenes with hail by metadata and by similarity to one example; mine edge cases (similar to several
/// examples, near-duplicates removed) and the rarest frames; a stratified sample by lighting; a split
/// grouped by drive, with proof that no drive leaks; a toy model's predictions with accuracy per lighting; and a
/// shuffled WebDataset export. Front ends only print; every step is plain SQL a user could type.
/// </summary>
public static class DemoStory
{
    /// <summary>The embedding function the demo uses unless told otherwise: ResNet18 (<c>image_embedding_resnet18</c>)
    /// where the QueryLake.Onnx package is present, else the small built-in embedder (<c>image_embedding</c>).</summary>
    public static string DefaultEmbedding =>
        Functions.FunctionRegistry.Default.Scalar("image_embedding_resnet18") is not null ? "image_embedding_resnet18" : "image_embedding";

    /// <summary>The steps over the generated <paramref name="files"/>; the WebDataset shards go to
    /// <paramref name="exportDirectory"/>, which must lie outside the lake (COPY never writes into a lake). The frames
    /// are embedded with <paramref name="embedding"/> (a function name; null: <see cref="DefaultEmbedding"/>).</summary>
    public static IReadOnlyList<DemoStep> Steps(DrivingSceneFiles files, string exportDirectory, string? embedding = null)
    {
        string export = Path.GetFullPath(exportDirectory);
        embedding ??= DefaultEmbedding;
        string embedder = embedding == "image_embedding_resnet18" ? "ResNet18 (ONNX Runtime)" : "the built-in embedder";
        return
        [
            new("Ingest the camera frames: one row per file, kind and format sniffed from the bytes",
            [
                $"IMPORT FILES '{files.FramesGlob}' INTO scenes",
                "SELECT kind, format, count(*) AS files, sum(size) AS bytes FROM scenes GROUP BY ALL ORDER BY files DESC",
            ]),
            new("Labels arrive separately (JSON Lines), joined by path",
            [
                "ALTER DATASET scenes ADD COLUMN frame VARCHAR",
                "ALTER DATASET scenes ADD COLUMN drive BIGINT",
                "ALTER DATASET scenes ADD COLUMN camera VARCHAR",
                "ALTER DATASET scenes ADD COLUMN captured_at TIMESTAMP",
                "ALTER DATASET scenes ADD COLUMN weather VARCHAR",
                "ALTER DATASET scenes ADD COLUMN objects VARCHAR[]",
                $"UPDATE scenes SET frame = l.frame, drive = l.drive, camera = l.camera, captured_at = l.captured_at, weather = l.weather, objects = l.objects FROM read_json('{files.LabelsPath}') l WHERE scenes.path = l.path",
                "SELECT frame, drive, camera, captured_at, weather, objects FROM scenes ORDER BY frame LIMIT 3",
            ]),
            new("Flag damaged samples (a derived column that decodes every image), then drop them; older versions keep them",
            [
                "ALTER DATASET scenes ADD COLUMN valid AS image_is_valid(content)",
                "SELECT kind, valid, count(*) AS frames, min(frame) AS first FROM scenes GROUP BY ALL ORDER BY frames DESC",
                "SELECT frame, kind, size, try_error(image_brightness(content)) AS problem FROM scenes WHERE valid IS NOT TRUE ORDER BY frame LIMIT 4",
                "DELETE FROM scenes WHERE valid IS NOT TRUE",
            ]),
            new($"Enrich: brightness from the pixels, lighting from brightness, an embedding from {embedder}",
            [
                "ALTER DATASET scenes ADD COLUMN brightness AS image_brightness(content)",
                "ALTER DATASET scenes ADD COLUMN lighting AS CASE WHEN brightness < 0.2 THEN 'night' WHEN brightness < 0.4 THEN 'dusk' ELSE 'day' END",
                $"ALTER DATASET scenes ADD COLUMN embedding AS {embedding}(content)",
                "SELECT lighting, count(*) AS frames, count(DISTINCT drive) AS drives, round(avg(brightness), 3) AS brightness FROM scenes GROUP BY lighting ORDER BY brightness",
            ]),
            new("Night scenes with hail, by metadata",
            [
                "SELECT drive, count(*) AS frames, min(captured_at) AS first_frame FROM scenes WHERE lighting = 'night' AND weather = 'hail' GROUP BY drive ORDER BY drive",
            ]),
            new("Night scenes with hail, by similarity to one example (frame d007-f000), from other drives",
            [
                "SELECT frame, lighting, weather, round(cosine_similarity(embedding, (SELECT embedding FROM scenes WHERE frame = 'd007-f000')), 4) AS similarity FROM scenes WHERE drive <> 7 ORDER BY similarity DESC LIMIT 10",
            ]),
            new("Edge-case mining in one statement: night hail most like any of three examples, near-copies of each other removed; then the rarest frames",
            [
                "SELECT frame, drive, round(cosine_similarity(embedding, (SELECT list(embedding) FROM scenes WHERE frame IN ('d007-f000', 'd007-f020', 'd029-f010'))), 4) AS similarity FROM scenes WHERE lighting = 'night' AND weather = 'hail' AND drive NOT IN (7) QUALIFY NOT near_duplicate(embedding, 0.95) OVER (ORDER BY similarity DESC) ORDER BY similarity DESC LIMIT 5",
                "SELECT frame, lighting, weather, round(rarity(embedding, 10) OVER (), 4) AS rarity FROM scenes ORDER BY rarity DESC LIMIT 5",
            ]),
            new("Object labels are lists: frames with pedestrians, per lighting",
            [
                "SELECT lighting, count(*) FILTER (WHERE contains(objects, 'pedestrian')) AS with_pedestrians, count(*) AS frames FROM scenes GROUP BY lighting ORDER BY lighting",
            ]),
            new("A stratified sample: 100 frames per lighting condition, reproducible by its seed",
            [
                "SELECT lighting, count(*) AS sampled FROM (SELECT * FROM scenes SAMPLE 100 ROWS PER lighting SEED 7) GROUP BY lighting ORDER BY lighting",
            ]),
            new("A split grouped by drive and stratified by lighting: no drive is on both sides",
            [
                "CREATE SPLIT drives FROM (SELECT frame, drive, lighting, weather FROM scenes) INTO train 80 PERCENT, holdout 20 PERCENT STRATIFY BY lighting GROUP BY drive SEED 42",
                "SELECT count(*) AS drives_on_both_sides FROM (SELECT DISTINCT drive FROM drives.train) t JOIN (SELECT DISTINCT drive FROM drives.holdout) h ON t.drive = h.drive",
            ]),
            new("A toy model's predictions next to the data: accuracy per lighting on the holdout, and its worst confusions",
            [
                $"IMPORT PREDICTIONS '{files.PredictionsPath}' INTO scenes RUN 'toy-v1' KEY path",
                "SELECT s.lighting, count(*) AS frames, round(avg(CASE WHEN p.prediction = s.weather THEN 1.0 ELSE 0.0 END), 3) AS accuracy FROM scenes s JOIN scenes_predictions p ON s.path = p.path JOIN drives.holdout h ON s.frame = h.frame GROUP BY s.lighting ORDER BY accuracy",
                "SELECT s.weather, p.prediction, count(*) AS frames FROM scenes s JOIN scenes_predictions p ON s.path = p.path WHERE p.prediction <> s.weather GROUP BY ALL ORDER BY frames DESC LIMIT 5",
            ]),
            new("Export the training part as shuffled WebDataset shards",
            [
                $"COPY (SELECT s.frame AS __key__, s.content AS image, s.weather, s.lighting FROM scenes s JOIN drives.train t ON s.frame = t.frame) TO '{export}' (FORMAT webdataset, SHARDS 4, SHUFFLE SEED 1)",
            ]),
            new("Where everything came from",
            [
                "SHOW LINEAGE drives",
                "SHOW LINEAGE scenes",
                $"SHOW LINEAGE OF '{export}'",
                "SHOW VERSIONS OF scenes",
            ]),
        ];
    }
}
