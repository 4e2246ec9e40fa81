using QueryLake.Functions;
using QueryLake.Functions.Extensions;
using QueryLake.Onnx.Functions;

[assembly: QueryLakeExtension(typeof(QueryLake.Onnx.OnnxExtension))]

namespace QueryLake.Onnx;

/// <summary>Registers the functions that run ONNX models: <c>image_embedding_resnet18</c> and <c>onnx_embed</c>.
/// QueryLake finds this package by itself once an application references it.</summary>
internal sealed class OnnxExtension : IFunctionExtension
{
    public void Register(FunctionRegistry registry)
    {
        registry.Add(ImageEmbeddingResNet18.Function);
        registry.Add(OnnxEmbed.Function);
    }
}
