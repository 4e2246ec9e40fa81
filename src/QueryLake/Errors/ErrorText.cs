using System.Text.Json;

namespace QueryLake.Errors;

/// <summary>
/// What a failure below QueryLake (a file, the OS, a decoder, a JSON parser) means, in QueryLake's words: the error a
/// user reads says what went wrong and where, never the runtime's message or a .NET type name.
/// </summary>
internal static class ErrorText
{
    /// <summary>The failure's meaning as a phrase to follow "cannot read …: " or to put in parentheses.</summary>
    public static string Describe(Exception e) => e switch
    {
        QueryLakeException => e.Message,
        JsonException j => Json(j),
        OverflowException => "a size, count or offset is out of range",
        IndexOutOfRangeException or ArgumentOutOfRangeException => "a size, count or offset points outside the data",
        DirectoryNotFoundException => "a folder on the path does not exist",
        FileNotFoundException f => f.FileName is { Length: > 0 } name ? $"the file '{name}' does not exist" : "the file does not exist",
        PathTooLongException => "the path is too long",
        UnauthorizedAccessException => "permission denied",
        InvalidCastException => "a value of the wrong kind",
        IOException io when IsDiskFull(io) => "the disk is full",
        // The OS's own words (strerror), which name no .NET type.
        _ => e.Message,
    };

    /// <summary>Whether an I/O error is a full disk (ENOSPC on Unix; ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows).</summary>
    public static bool IsDiskFull(IOException e) => OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 0x70 or 0x27 : e.HResult == 28;

    /// <summary>A JSON reader's failure: what was wrong (a malformed token, or a value of the wrong kind) and where
    /// (its JSON path, line and byte). Failures QueryLake raised itself, which carry no position, keep their text.</summary>
    private static string Json(JsonException j)
    {
        if (j.Path is null && j.LineNumber is null) return j.Message;
        string what;
        int converted = j.Message.IndexOf("could not be converted to ", StringComparison.Ordinal);
        if (converted >= 0)
        {
            var kind = Kind(j.Message[(converted + "could not be converted to ".Length)..]);
            what = kind is null ? "a value of the wrong kind" : $"a value of the wrong kind (expected {kind})";
        }
        else
        {
            // The reader's description of a malformed token, without the position it appends.
            int cut = j.Message.IndexOf(" Path:", StringComparison.Ordinal) is >= 0 and var p ? p : j.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            what = "malformed JSON: " + (cut >= 0 ? j.Message[..cut] : j.Message).TrimEnd('.', ' ');
        }
        var where = new List<string>();
        if (j.Path is { Length: > 0 } path) where.Add($"at {path}");
        if (j.LineNumber is { } line) where.Add($"line {line + 1}" + (j.BytePositionInLine is { } b ? $", byte {b + 1}" : ""));
        return where.Count == 0 ? what : $"{what} {string.Join(", ", where)}";
    }

    private static string? Kind(string clrType) => clrType switch
    {
        _ when clrType.StartsWith("System.String", StringComparison.Ordinal) => "a string",
        _ when clrType.StartsWith("System.Boolean", StringComparison.Ordinal) => "true or false",
        _ when clrType.StartsWith("System.Int", StringComparison.Ordinal) || clrType.StartsWith("System.UInt", StringComparison.Ordinal)
            || clrType.StartsWith("System.Double", StringComparison.Ordinal) || clrType.StartsWith("System.Single", StringComparison.Ordinal)
            || clrType.StartsWith("System.Decimal", StringComparison.Ordinal) || clrType.StartsWith("System.Byte", StringComparison.Ordinal) => "a number",
        _ when clrType.Contains("List", StringComparison.Ordinal) || clrType.Contains("[]", StringComparison.Ordinal) || clrType.Contains("JsonArray", StringComparison.Ordinal) => "a list",
        _ when clrType.Contains("Dictionary", StringComparison.Ordinal) || clrType.Contains("JsonObject", StringComparison.Ordinal) => "an object",
        _ => null,
    };
}
