namespace QueryLake.Formats.Parquet;

/// <summary>A structural problem in a Parquet file; the reader turns it into a
/// <see cref="Errors.CorruptFileException"/> that names the file and the column.</summary>
internal sealed class ParquetFormatException(string message) : Exception(message);
