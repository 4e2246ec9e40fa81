namespace QueryLake.Columnar.Memory;

/// <summary>
/// Allocates 64-byte aligned memory as a slice of a managed array. Spans over it keep the array alive, so the
/// garbage collector can never free memory that a span still points at. Small buffers (under 85 KB) are pinned, so
/// they keep their alignment. Larger ones are not: below the runtime's large object threshold (1 MB in QueryLake's
/// executables, see docs/ado-net.md) they live in generation 0, whose memory is reused warm, and above it on the large
/// object heap, which is not compacted unless asked; pinned large buffers came back as fresh pages, and first touches of
/// fresh pages dominated Parquet decoding. A compaction may move an unpinned buffer, which only costs its alignment.
/// On Linux, buffers of 1 MB and more start on a 2 MB boundary and are advised for transparent huge pages (set
/// QUERYLAKE_NO_HUGE_PAGES to turn this off).
/// </summary>
internal static class AlignedMemory
{
    public const int Alignment = 64;

    /// <summary>The runtime's large object threshold.</summary>
    private const int LargeObjectBytes = 85_000;

    /// <summary>A transparent huge page (x86-64 and arm64 Linux with 4 KB base pages).</summary>
    private const int HugePage = 2 << 20;

    /// <summary>Buffers at least this large are placed on huge-page boundaries and advised for transparent huge pages.</summary>
    private const int HugeThreshold = HugePage / 2;

    private static bool s_adviseHugePages = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("QUERYLAKE_NO_HUGE_PAGES") is null;

    /// <summary>Aligned memory of <paramref name="length"/> bytes (zeroed when <paramref name="clear"/> is set); inside
    /// an open <see cref="ScratchScope"/>, a large buffer is rented from the pool for the scope's lifetime.</summary>
    public static Memory<byte> Allocate(int length, bool clear = true)
    {
        if (length >= BufferPool.MinimumLength && ScratchScope.Current is { } scope)
        {
            var rented = scope.Rent(length)[..length];
            if (clear) rented.Span.Clear();
            return rented;
        }
        return AllocateFresh(length, clear);
    }

    /// <summary>Newly allocated aligned memory, whatever scope is open (the pool's own allocations).</summary>
    public static unsafe Memory<byte> AllocateFresh(int length, bool clear = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (s_adviseHugePages && length >= HugeThreshold && length <= int.MaxValue - 2 * HugePage)
        {
            // A large buffer's fresh memory would otherwise be faulted in 4 KB at a time on first touch, and each fault
            // costs microseconds (far more under a hypervisor): a column chunk decoded into 2 MB took up to 100 times
            // longer than the same work in warm memory. Starting it on a 2 MB boundary and advising the kernel to back
            // its 2 MB blocks with transparent huge pages turns 512 faults into one. A last block the buffer fills less
            // than half of stays in base pages, so at most half a huge page per buffer is physical memory it does not
            // use; the over-allocation is otherwise address space only.
            int blocks = length / HugePage + (length % HugePage >= HugePage / 2 ? 1 : 0);
            var big = GC.AllocateUninitializedArray<byte>(Math.Max(length, blocks * HugePage) + HugePage);
            fixed (byte* p = big)
            {
                int shift = (int)((HugePage - ((nint)p & (HugePage - 1))) & (HugePage - 1));
                var m = new Memory<byte>(big, shift, length);
                AdviseHugePages(p + shift, (nuint)blocks * HugePage);
                if (clear) m.Span.Clear();
                return m;
            }
        }
        var array = GC.AllocateUninitializedArray<byte>(length + Alignment, pinned: length + Alignment < LargeObjectBytes);
        fixed (byte* p = array)
        {
            int shift = (int)((Alignment - ((nint)p & (Alignment - 1))) & (Alignment - 1));
            var mem = new Memory<byte>(array, shift, length);
            if (clear) mem.Span.Clear();
            return mem;
        }
    }

    private static unsafe void AdviseHugePages(byte* start, nuint length)
    {
        if (length == 0) return;
        try
        {
            Madvise((nint)start, length, MadviseHugePage);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_adviseHugePages = false; // no libc madvise: base pages, as before
        }
    }

    private const int MadviseHugePage = 14;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
