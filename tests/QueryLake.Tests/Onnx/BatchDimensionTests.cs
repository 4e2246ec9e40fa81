using FsCheck;
using FsCheck.Fluent;
using Microsoft.ML.OnnxRuntime;
using QueryLake.Onnx.Models;
using Xunit;

namespace QueryLake.Tests.Onnx;

/// <summary>The protobuf rewrite that gives a batch-1 model a symbolic batch: ONNX Runtime reads the result with the
/// batch symbolic and everything else unchanged; a model already symbolic is left alone; any bytes at all give a model
/// or null, never an exception (fuzzed, including corruptions of a real model).</summary>
public sealed class BatchDimensionTests
{
    [Fact]
    public void The_shipped_models_get_a_symbolic_batch_and_keep_their_other_dimensions()
    {
        foreach (var path in new[] { ResNet18.PreprocessPath, ResNet18.ModelPath })
        {
            var bytes = File.ReadAllBytes(path);
            var rewritten = BatchDimension.MakeSymbolic(bytes);
            Assert.NotNull(rewritten);
            using var session = new InferenceSession(rewritten!);
            var input = session.InputMetadata.Values.Single();
            Assert.Equal([-1, 3, 224, 224], input.Dimensions);
            Assert.Equal("batch", input.SymbolicDimensions[0]);
            Assert.Null(BatchDimension.MakeSymbolic(rewritten!));
        }
    }

    [Fact]
    public void Any_bytes_give_a_model_or_null()
    {
        var model = File.ReadAllBytes(ResNet18.PreprocessPath);
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => { _ = BatchDimension.MakeSymbolic(bytes); return true; })
            .Check(Config.QuickThrowOnFailure.WithMaxTest(500));
        // Flipped bytes and cuts within the first kilobytes, where the graph's declarations are.
        Prop.ForAll(Gen.Choose(0, 4095).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (at, value) =>
        {
            var damaged = (byte[])model.Clone();
            damaged[at] = (byte)value;
            _ = BatchDimension.MakeSymbolic(damaged);
            _ = BatchDimension.MakeSymbolic(damaged.AsSpan(0, at));
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
