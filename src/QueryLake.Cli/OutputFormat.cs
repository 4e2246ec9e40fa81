namespace QueryLake.Cli;

/// <summary>How results are printed.</summary>
internal enum OutputFormat { Table, Csv, Json, Markdown, Line }
