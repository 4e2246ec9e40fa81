using Xunit;

namespace QueryLake.Tests.Tpch;

/// <summary>A fact that needs the TPC-H generator in <c>../shared</c>; skipped without it.</summary>
public sealed class TpchFactAttribute : FactAttribute
{
    public TpchFactAttribute()
    {
        if (!File.Exists(TpchData.Generator)) Skip = $"the TPC-H generator is absent ({TpchData.Generator})";
    }
}
