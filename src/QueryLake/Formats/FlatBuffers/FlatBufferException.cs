namespace QueryLake.Formats.FlatBuffers;

/// <summary>A FlatBuffer points outside itself or is otherwise malformed. Readers turn it into a
/// <see cref="Errors.CorruptFileException"/> that names the file.</summary>
internal sealed class FlatBufferException(string message) : Exception(message);
