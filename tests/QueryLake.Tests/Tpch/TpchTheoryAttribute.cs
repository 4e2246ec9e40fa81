using Xunit;

namespace QueryLake.Tests.Tpch;

/// <summary>A theory over TPC-H data, skipped (with the reason) when <c>../shared/tpch-dbgen</c> is absent.</summary>
public sealed class TpchTheoryAttribute : TheoryAttribute
{
    public TpchTheoryAttribute()
    {
        if (!File.Exists(TpchData.Generator)) Skip = $"the TPC-H generator is absent ({TpchData.Generator})";
    }
}
