using Microsoft.ML.OnnxRuntime;
using QueryLake.Errors;
using QueryLake.Functions;
using QueryLake.Onnx.Models;
using QueryLake.Sessions;
using QueryLake.Tests.Formats;
using QueryLake.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit;

namespace QueryLake.Tests.Onnx;

/// <summary>
/// The QueryLake.Onnx package: image_embedding_resnet18 equals ONNX Runtime called directly on ML.NET's ResNet18
/// pipeline (one image per run, the models as shipped), is deterministic, and ranks the @stdlib photographs as a person
/// would; onnx_embed feeds a user's model from tensors and lists; a derived column is computed for appended rows; bad
/// models and inputs are clear errors.
/// </summary>
public sealed class OnnxFunctionTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly QueryLakeSession _session;

    public OnnxFunctionTests()
    {
        _session = QueryLakeSession.Open(_dir.File("lake"));
    }

    public void Dispose()
    {
        _session.Dispose();
        _dir.Dispose();
    }

    private static string Name(string path) => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path)))!["datasets-img-".Length..];

    private Dictionary<string, float[]> Photos()
    {
        _session.Execute("CREATE DATASET photos (name VARCHAR, content BLOB)");
        foreach (var file in JpegDecodingTests.Photographs())
            _session.Execute("INSERT INTO photos VALUES (@n, @c)", new Dictionary<string, object?> { ["n"] = Name(file), ["c"] = File.ReadAllBytes(file) });
        return Embeddings("SELECT name, image_embedding_resnet18(content) FROM photos");
    }

    private Dictionary<string, float[]> Embeddings(string sql) =>
        _session.Query(sql).Rows().ToDictionary(r => (string)r[0]!, r => Floats(r[1]));

    private static float[] Floats(object? v) => ((object?[])v!).Select(x => (float)x!).ToArray();

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>ML.NET's pipeline, written out: scale to cover 224 × 224 and crop the centre (IsoCrop), red, green and
    /// blue planes as 0–255, then the preprocessing model and ResNet18, one image per run, on the files as shipped.</summary>
    private static float[] Direct(byte[] jpeg, InferenceSession preprocess, InferenceSession net)
    {
        using var img = Image.Load<Rgba32>(jpeg);
        img.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(224, 224), Mode = ResizeMode.Crop, Sampler = KnownResamplers.Bicubic }));
        var input = new float[3 * 224 * 224];
        for (int y = 0; y < 224; y++)
            for (int x = 0; x < 224; x++)
            {
                var p = img[x, y];
                input[y * 224 + x] = p.R;
                input[224 * 224 + y * 224 + x] = p.G;
                input[2 * 224 * 224 + y * 224 + x] = p.B;
            }
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, 224, 224]);
        using var prepared = preprocess.Run(new RunOptions(), ["OriginalInput"], [value], ["PreprocessedInput"]);
        using var features = net.Run(new RunOptions(), ["Input247"], [prepared[0]], ["Pooling395_Output_0"]);
        return features[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public void Resnet18_embeddings_equal_onnx_runtime_called_directly_and_are_deterministic()
    {
        var ours = Photos();
        Assert.Equal(8, ours.Count);
        using var preprocess = new InferenceSession(ResNet18.PreprocessPath);
        using var net = new InferenceSession(ResNet18.ModelPath);
        foreach (var file in JpegDecodingTests.Photographs())
        {
            var direct = Direct(File.ReadAllBytes(file), preprocess, net);
            var mine = ours[Name(file)];
            Assert.Equal(512, mine.Length);
            for (int i = 0; i < 512; i++) Assert.True(Math.Abs(mine[i] - direct[i]) <= 1e-4 * (1 + Math.Abs(direct[i])), $"{Name(file)}[{i}]: {mine[i]} vs {direct[i]}");
        }
        // Again in one query, with one thread: the same bits.
        _session.Execute("SET threads = 1");
        var again = Embeddings("SELECT name, image_embedding_resnet18(content) FROM photos");
        foreach (var (name, v) in ours) Assert.Equal(v, again[name]);
    }

    [Fact]
    public void Photographs_rank_as_a_person_would()
    {
        var e = Photos();
        var pairs = (from a in e.Keys from b in e.Keys where string.CompareOrdinal(a, b) < 0 select (a, b, sim: Cosine(e[a], e[b])))
            .OrderByDescending(p => p.sim).ToList();
        // The two landscapes (a canyon, an alpine valley) are the closest pair of the eight photographs.
        Assert.Equal(("black-canyon", "french-alpine-landscape"), (pairs[0].a, pairs[0].b));
        // A cat and a flower are each further from both landscapes than the landscapes are from each other.
        foreach (var other in new[] { "locomotion-house-cat", "allium-oreophilum" })
            foreach (var land in new[] { "black-canyon", "french-alpine-landscape" })
                Assert.True(Cosine(e[other], e[land]) < pairs[0].sim - 0.2, $"{other}–{land}");
    }

    [Fact]
    public void A_derived_column_is_computed_for_appended_rows_and_corrupt_images_fail_per_row()
    {
        var files = JpegDecodingTests.Photographs().ToList();
        _session.Execute("CREATE DATASET scenes (name VARCHAR, content BLOB)");
        _session.Execute("INSERT INTO scenes VALUES (@n, @c)", new Dictionary<string, object?> { ["n"] = Name(files[0]), ["c"] = File.ReadAllBytes(files[0]) });
        _session.Execute("ALTER DATASET scenes ADD COLUMN emb AS image_embedding_resnet18(content)");
        _session.Execute("INSERT INTO scenes (name, content) VALUES (@n, @c)", new Dictionary<string, object?> { ["n"] = Name(files[1]), ["c"] = File.ReadAllBytes(files[1]) });
        var stored = Embeddings("SELECT name, emb FROM scenes");
        var computed = Embeddings("SELECT name, image_embedding_resnet18(content) FROM scenes");
        Assert.Equal(2, stored.Count);
        foreach (var (name, v) in computed) Assert.Equal(v, stored[name]);
        Assert.Equal("embedding<512>", _session.Query("SELECT typeof(emb) FROM scenes LIMIT 1").Rows().Single()[0]!.ToString()!.ToLowerInvariant().Replace("embedding(512)", "embedding<512>"));

        var truncated = File.ReadAllBytes(files[2])[..500];
        var rows = _session.Query("SELECT try(image_embedding_resnet18(x)) IS NULL FROM (VALUES (@good), (@bad), (NULL)) t(x)",
            new Dictionary<string, object?> { ["good"] = File.ReadAllBytes(files[2]), ["bad"] = truncated }).Rows().Select(r => (bool)r[0]!).ToList();
        Assert.Equal([false, true, true], rows);
        var error = Assert.ThrowsAny<QueryLakeException>(() => _session.Query("SELECT image_embedding_resnet18(@bad)",
            new Dictionary<string, object?> { ["bad"] = truncated }).Materialize());
        Assert.StartsWith("QL-IMAGE", error.Code);
    }

    [Fact]
    public void Onnx_embed_runs_a_users_model_on_tensors_and_equals_the_built_in_pipeline()
    {
        // A square picture: ML.NET's cover-and-crop is then a plain resize, which SQL can write out.
        using var picture = new Image<Rgba32>(300, 300);
        picture.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < 300; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < 300; x++) row[x] = new Rgba32((byte)x, (byte)(y * 3 % 256), (byte)((x ^ y) & 255));
            }
        });
        using var png = new MemoryStream();
        picture.SaveAsPng(png);
        var p = new Dictionary<string, object?>
        {
            ["p"] = png.ToArray(),
            ["pre"] = ResNet18.PreprocessPath,
            ["net"] = ResNet18.ModelPath,
        };
        string pre = ResNet18.PreprocessPath.Replace("'", "''"), net = ResNet18.ModelPath.Replace("'", "''");
        const string s = "0.00392156862745098";
        var row = _session.Query(
            $"SELECT onnx_embed('{net}', onnx_embed('{pre}', image_to_tensor(image_resize(@p, 224, 224, 'bicubic'), 'chw', [0, 0, 0], [{s}, {s}, {s}]), {{'as': 'tensor'}})), " +
            $"image_embedding_resnet18(@p), typeof(onnx_embed('{pre}', image_to_tensor(image_resize(@p, 224, 224)), {{'as': 'tensor'}}))", p).Rows().Single();
        var chained = Floats(row[0]);
        var builtIn = Floats(row[1]);
        Assert.Equal(512, chained.Length);
        Assert.True(Cosine(chained, builtIn) > 0.99999, $"cosine {Cosine(chained, builtIn)}");
        Assert.Equal("TENSOR<FLOAT>(3, 224, 224)", row[2]);
    }

    [Fact]
    public void Bad_models_inputs_and_options_are_clear_errors()
    {
        string net = ResNet18.ModelPath.Replace("'", "''");
        QueryLakeException Fails(string sql) => Assert.ThrowsAny<QueryLakeException>(() => _session.Query(sql).Materialize());

        var missing = Fails("SELECT onnx_embed('no-such-model.onnx', [1.0, 2.0])");
        Assert.Equal("QL-MODEL-MISSING", missing.Code);
        Assert.Contains("no-such-model.onnx", missing.Message);

        var notModel = _dir.File("not-a-model.onnx");
        File.WriteAllText(notModel, "this is text, not a protobuf");
        var invalid = Fails($"SELECT onnx_embed('{notModel}', [1.0, 2.0])");
        Assert.Equal("QL-MODEL-INVALID", invalid.Code);
        Assert.Contains("not-a-model.onnx", invalid.Message);

        var wrongSize = Fails($"SELECT onnx_embed('{net}', [1.0, 2.0])");
        Assert.Equal("QL-MODEL-INPUT", wrongSize.Code);
        Assert.Contains("[3, 224, 224]", wrongSize.Message);
        Assert.Equal("QL-MODEL-OUTPUT", Fails($"SELECT onnx_embed('{net}', image_to_tensor(CAST(NULL AS BLOB)), {{'output': 'nope'}})").Code);
        Assert.Equal("QL-BAD-ARGUMENT", Fails($"SELECT onnx_embed('{net}', image_to_tensor(CAST(NULL AS BLOB)), {{'as': 'matrix'}})").Code);
        Assert.Equal("QL-BAD-ARGUMENT", Fails($"SELECT onnx_embed('{net}', image_to_tensor(CAST(NULL AS BLOB)), {{'colour': 'red'}})").Code);
        Assert.Equal("QL-BAD-ARGUMENT", Fails("SELECT onnx_embed(name, [1.0]) FROM (VALUES ('m.onnx')) t(name)").Code);
        // NULL input rows give NULL without running the model.
        Assert.Null(_session.Query($"SELECT onnx_embed('{net}', image_to_tensor(CAST(NULL AS BLOB)))").Rows().Single()[0]);
    }

    [Fact]
    public void The_registry_finds_the_extension_package_by_its_attribute()
    {
        Assert.NotNull(FunctionRegistry.Default.Scalar("image_embedding_resnet18"));
        Assert.NotNull(FunctionRegistry.Default.Scalar("onnx_embed"));
        var folder = Path.GetDirectoryName(typeof(OnnxFunctionTests).Assembly.Location)!;
        Assert.True(QueryLake.Functions.Extensions.ExtensionLoader.Marked(Path.Combine(folder, "QueryLake.Onnx.dll")));
        Assert.False(QueryLake.Functions.Extensions.ExtensionLoader.Marked(Path.Combine(folder, "QueryLake.Demo.dll")));
    }

    [Fact]
    public void A_statement_timeout_stops_a_batch_of_embeddings()
    {
        var photo = File.ReadAllBytes(JpegDecodingTests.Photographs().First());
        _session.Execute("SET statement_timeout = '1s'");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.ThrowsAny<QueryLakeException>(() => _session.Query(
            "SELECT count(image_embedding_resnet18(CASE WHEN range >= 0 THEN @p END)) FROM range(400)", new Dictionary<string, object?> { ["p"] = photo }).Materialize());
        Assert.Equal("QL-TIMEOUT", e.Code);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"stopped after {started.Elapsed}");
    }
}
