namespace QueryLake.Language;

/// <summary>Names written into SQL text that front ends build (DESCRIBE "a name", INSERT INTO "x"): always in double
/// quotes, with any double quote inside doubled, so every name reads back as itself.</summary>
public static class SqlIdentifier
{
    /// <summary><paramref name="name"/> as a quoted SQL identifier.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
