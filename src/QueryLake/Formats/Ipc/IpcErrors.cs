using QueryLake.Errors;
using QueryLake.Formats.FlatBuffers;

namespace QueryLake.Formats.Ipc;

/// <summary>Turns the many ways a corrupt file can fail into one <see cref="CorruptFileException"/> naming it.</summary>
internal static class IpcErrors
{
    public static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is FlatBufferException or InvalidDataException or ArgumentException or OverflowException
                                       or IndexOutOfRangeException or EndOfStreamException or NotSupportedException)
        {
            throw new CorruptFileException(path, Errors.ErrorText.Describe(e), e);
        }
    }
}
