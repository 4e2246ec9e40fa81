using System.Runtime.CompilerServices;
using QueryLake.Errors;

namespace QueryLake.Tests.Support;

/// <summary>
/// Every QueryLake error any test raises, anywhere in the test process, is scanned for .NET text (exception type
/// names, framework messages): each one found is written, with the test that raised it, to the file that
/// <c>QL_ERROR_SCAN</c> names, and <c>tests/run.sh</c> fails the run when that file is not empty. So an error path no
/// test checks by hand is still held to the rule that users read QueryLake's words, not .NET's.
/// </summary>
internal static class ErrorTextScan
{
    /// <summary>Words a .NET exception's message would carry, which no user-facing error may.</summary>
    internal static readonly string[] DotNetText =
    [
        "System.", "Exception", "Object reference", "Index was outside", "Specified argument", "Input string was not",
        "input string", "Arithmetic operation resulted", "Unable to cast", "Sequence contains", "Nullable object",
        "Collection was modified", "The given key", "Value was either too large", "stack trace", "   at ",
        "Could not find a part of the path", "Access to the path", "The process cannot access",
    ];

    private static readonly Lock Gate = new();
    private static string? _report;

    /// <summary>Messages that carry .NET text (the test's own check; <see cref="Scan"/> records those it sees).</summary>
    internal static string? Offending(string message) => DotNetText.FirstOrDefault(t => message.Contains(t, StringComparison.Ordinal));

    [ModuleInitializer]
    internal static void Install()
    {
        _report = Environment.GetEnvironmentVariable("QL_ERROR_SCAN") is { Length: > 0 } path ? path : null;
        if (_report is null) return;
        AppDomain.CurrentDomain.FirstChanceException += (_, e) => Scan(e.Exception);
    }

    private static void Scan(Exception e)
    {
        if (e is not QueryLakeException q || Offending(q.Message) is not { } text) return;
        // The frames in the tests say which test reached this error.
        var frames = Environment.StackTrace.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("at QueryLake.", StringComparison.Ordinal) && !l.Contains(nameof(ErrorTextScan), StringComparison.Ordinal)).ToList();
        // (a test's frames when the error arose on its thread, else where in the engine it arose)
        var test = frames.Any(l => l.StartsWith("at QueryLake.Tests.", StringComparison.Ordinal))
            ? frames.Where(l => l.StartsWith("at QueryLake.Tests.", StringComparison.Ordinal)).Take(2) : frames.Take(6);
        lock (Gate)
            File.AppendAllText(_report!, $"[{q.Code}] '{text}' in: {q.Message.ReplaceLineEndings(" ")}\n    {string.Join("\n    ", test)}\n");
    }
}
