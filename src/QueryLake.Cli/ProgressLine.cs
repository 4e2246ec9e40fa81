using System.Globalization;
using QueryLake.Sessions;

namespace QueryLake.Cli;

/// <summary>A one-line progress bar on the terminal for statements that run longer than half a second (IMPORT, COPY,
/// CREATE DATASET … AS, INSERT … SELECT); erased when the statement ends.</summary>
internal sealed class ProgressLine(TextWriter terminal) : IProgress<StatementProgress>
{
    private const int BarWidth = 30;
    private bool _shown;

    public void Report(StatementProgress p)
    {
        bool done = p.TotalRows == p.Rows && p.Fraction == 1.0;
        if (done)
        {
            if (_shown) terminal.Write("\r" + new string(' ', 100) + "\r");
            _shown = false;
            return;
        }
        if (p.Elapsed < TimeSpan.FromMilliseconds(500)) return;
        string rows = p.Rows.ToString("N0", CultureInfo.InvariantCulture);
        string line = p.Fraction is { } f
            ? $"{p.Operation,-7} [{new string('█', (int)(f * BarWidth)).PadRight(BarWidth, '░')}] {f,4:P0}  {rows} / {p.TotalRows!.Value.ToString("N0", CultureInfo.InvariantCulture)} rows  {p.Elapsed.TotalSeconds:0.0} s"
            : $"{p.Operation,-7} {rows} rows  {p.Elapsed.TotalSeconds:0.0} s";
        terminal.Write("\r" + line.PadRight(100)[..100]);
        terminal.Flush();
        _shown = true;
    }
}
