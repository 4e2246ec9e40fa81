using QueryLake.Columnar.Memory;
using Xunit;

namespace QueryLake.Tests.Columnar;

/// <summary>Buffers from <see cref="AlignedMemory"/>: the asked length, 64-byte aligned where they cannot move (pinned
/// small ones, large-object-heap ones), cleared when asked, fully writable, and large ones (1 MB and up, placed for
/// transparent huge pages on Linux) start on a 2 MB boundary.</summary>
public sealed class AlignedMemoryTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(84_990)]
    [InlineData(1 << 20)]
    [InlineData((2 << 20) - 1)]
    [InlineData(2 << 20)]
    [InlineData((2 << 20) + 5)]
    [InlineData((5 << 20) + 3)]
    public unsafe void Buffers_have_the_length_alignment_and_contents_asked_for(int length)
    {
        for (int round = 0; round < 3; round++)
        {
            var memory = AlignedMemory.Allocate(length);
            Assert.Equal(length, memory.Length);
            Assert.True(memory.Span.IndexOfAnyExcept((byte)0) < 0, "a cleared buffer holds a non-zero byte");
            fixed (byte* p = memory.Span)
            {
                // Alignment is promised where the buffer cannot move: small buffers are pinned, and buffers of 1 MB and
                // more live on the large object heap, which is not compacted unless asked. Buffers in between are in
                // generation 0, where a collection may move them (costing only their alignment).
                bool fixedInPlace = length + AlignedMemory.Alignment < 85_000 || length >= 1 << 20;
                if (length > 0 && fixedInPlace) Assert.Equal(0, (long)p % AlignedMemory.Alignment);
                if (length >= 1 << 20 && OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("QUERYLAKE_NO_HUGE_PAGES") is null)
                    Assert.Equal(0, (long)p % (2 << 20));
            }
            memory.Span.Fill((byte)(round + 1));
            Assert.Equal(length, memory.Span.Count((byte)(round + 1)));
            // Uncleared buffers have the length and alignment too (their contents are whatever was there).
            var raw = AlignedMemory.Allocate(length, clear: false);
            Assert.Equal(length, raw.Length);
            raw.Span.Fill(7);
        }
    }
}
