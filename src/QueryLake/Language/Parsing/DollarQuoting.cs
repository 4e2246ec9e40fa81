using Antlr4.Runtime;
using Antlr4.Runtime.Misc;

namespace QueryLake.Language.Parsing.Generated;

// (the generated half of the class is marked CLSCompliant(false), which the compiler reports against this half)
#pragma warning disable CS3021

/// <summary>The lexer's check for dollar-quoted strings: a <c>$tag$…</c> string ends only at its own tag, so
/// <c>$fn$ a $$ b $fn$</c> is one string holding <c>a $$ b</c>.</summary>
internal partial class QueryLakeLexer
{
    /// <summary>Whether the token so far ends with the tag it opened with (called at each candidate end).</summary>
    private bool DollarClosed()
    {
        var input = (ICharStream)InputStream;
        var text = input.GetText(Interval.Of(TokenStartCharIndex, input.Index - 1));
        int open = text.IndexOf('$', 1) + 1;
        return open > 0 && text.Length >= 2 * open && text.AsSpan(text.Length - open).SequenceEqual(text.AsSpan(0, open));
    }
}
