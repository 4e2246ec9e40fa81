namespace QueryLake.Demo;

/// <summary>One step of the demo story: what it shows, and the statements that show it.</summary>
/// <param name="Title">A one-line caption.</param>
/// <param name="Statements">SQL statements, run in order; each one's result is printed.</param>
public sealed record DemoStep(string Title, IReadOnlyList<string> Statements);
