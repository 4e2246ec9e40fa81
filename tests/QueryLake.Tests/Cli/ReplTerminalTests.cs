using System.Diagnostics;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Cli;

/// <summary>The REPL as a user meets it: it runs in a real pseudo-terminal (tmux), the test types keys (Tab, Up,
/// Ctrl-C, Ctrl-D included) and reads the screen.</summary>
public sealed class ReplTerminalTests : IDisposable
{
    private readonly string _session = "ql-test-" + Guid.NewGuid().ToString("N")[..8];
    // Each start gets a tmux server of its own (-L socket): a new session on the default server could reach a server
    // still exiting after the previous session was killed ("server exited unexpectedly"), or another run's server.
    private string _socket = "";
    private readonly TempDir _home = new();
    private readonly TempDir _lake = new();

    private void Tmux(params string[] args)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-L", _socket, .. args]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"tmux {string.Join(' ', args)} failed: {p.StandardError.ReadToEnd()}");
    }

    /// <summary>The pane with 200 lines of its scrollback.</summary>
    private string Screen() => Capture("-S", "-200");

    private string Capture(params string[] extra)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true };
        foreach (var a in (string[])["-L", _socket, "capture-pane", "-t", _session, "-p", .. extra]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }

    /// <summary>The pane as shown now, without its scrollback.</summary>
    private string Visible() => Capture().TrimStart('\n');

    private void Start()
    {
        var dll = Programs.Dll("QueryLake.Cli", "querylake");
        _socket = "ql-" + Guid.NewGuid().ToString("N")[..12];
        Tmux("new-session", "-d", "-s", _session, "-x", "150", "-y", "50", $"env HOME={_home.Path} TERM=xterm-256color dotnet {dll} {_lake.Path}; sleep 30");
        WaitFor("ql>", 1);
    }

    /// <summary>Types text literally (a trailing ';' goes as its key code: tmux would read it as a separator).</summary>
    private void Type(string text)
    {
        if (text.EndsWith(';')) { Tmux("send-keys", "-t", _session, "-l", text[..^1]); Tmux("send-keys", "-t", _session, "-H", "3b"); }
        else Tmux("send-keys", "-t", _session, "-l", text);
    }

    private void Key(string key) => Tmux("send-keys", "-t", _session, key);

    private string WaitFor(string text, int occurrences, int seconds = 30)
    {
        var sw = Stopwatch.StartNew();
        string screen = "";
        while (sw.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            screen = Screen();
            if (Count(screen, text) >= occurrences) return screen;
            Thread.Sleep(100);
        }
        Assert.Fail($"'{text}' did not appear {occurrences} time(s) within {seconds} s; the screen:\n{screen}");
        return screen;
    }

    private static int Count(string s, string part)
    {
        int n = 0;
        for (int i = s.IndexOf(part, StringComparison.Ordinal); i >= 0; i = s.IndexOf(part, i + part.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private void Statement(string sql, string expect, int occurrences = 1)
    {
        Type(sql);
        Key("Enter");
        WaitFor(expect, occurrences);
    }

    [Fact]
    public void A_user_session_edits_completes_remembers_and_cancels()
    {
        Start();
        Statement("CREATE DATASET scenes (id BIGINT, lighting VARCHAR);", "created scenes");
        Statement("INSERT INTO scenes VALUES (1, 'night'), (2, 'day'), (3, 'night');", "│      3 │");
        // Tab completes a column, then a dataset name.
        Type("SELECT light");
        Key("Tab");
        Type(", count(*) AS n FROM sce");
        Key("Tab");
        Type(" GROUP BY 1 ORDER BY 1;");
        Key("Enter");
        var screen = WaitFor("│ night    │      2 │", 1);
        Assert.Contains("SELECT lighting, count(*) AS n FROM scenes GROUP BY 1", screen);
        // A statement over several lines, then dot commands.
        Type("SELECT 40 +");
        Key("Enter");
        WaitFor("  >", 1);
        Statement("2 AS answer;", "│     42 │");
        // Up recalls that statement whole, on one line; Down past the newest entry gives the empty line back.
        Key("Up");
        WaitFor("ql> SELECT 40 + 2 AS answer;", 1);
        Key("Down");
        Thread.Sleep(500);
        Assert.Equal("ql>", Screen().Split('\n').Last(l => l.StartsWith("ql>", StringComparison.Ordinal)).Trim());
        Statement(".mode line", "ql> .mode line\nql>");
        Statement("SELECT id, lighting FROM scenes WHERE id = 2;", "lighting = day");
        Statement(".help", ".maxrows N");
        Statement(".schema scenes", "lighting");
        // Each line is one history entry: two presses of Up reach the line before the last.
        Key("Up");
        Key("Up");
        WaitFor("ql> .help", 2);
        Key("Enter");
        WaitFor(".maxrows N", 2);
        // Tab again cycles through the candidates (before, it stopped at the second one).
        Type("SELECT * FROM scenes WHERE l");
        var offered = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            Key("Tab");
            Thread.Sleep(400);
            offered.Add(Screen().Split('\n').Last(l => l.StartsWith("ql> ", StringComparison.Ordinal)).Trim());
        }
        Assert.True(offered.Distinct().Count() == 4, string.Join(" | ", offered));
        // The first Tab listed the candidates under the line, several to a line, the column among them.
        Assert.Contains(Screen().Split('\n'), l => !l.StartsWith("ql>", StringComparison.Ordinal) && l.Contains("lighting", StringComparison.Ordinal)
            && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 2);
        Assert.All(offered, o => Assert.StartsWith("ql> SELECT * FROM scenes WHERE l", o, StringComparison.OrdinalIgnoreCase));
        int prompts = Count(Screen(), "ql>");
        Type(";");
        Key("Enter");
        WaitFor("ql>", prompts + 1);
        // Ctrl-C cancels a long statement and the REPL goes on.
        Statement(".mode table", "ql> .mode table\nql>");
        // (a cross join with 10^11 rows on one side: a 15-way cross join of three-row tables now ends within a second)
        Type("SELECT count(*) FROM scenes a, range(100000000000) r WHERE a.id + r.range < 0;");
        Key("Enter");
        Thread.Sleep(1500);
        Key("C-c");
        WaitFor("Error: cancelled", 1);
        Statement("SELECT 'still here' AS s;", "still here", 2);
        // Ctrl-C at the prompt drops the line being typed (and an unfinished statement) and gives a new prompt.
        Type("SELECT 'half");
        Key("Enter");
        Type("typed");
        Key("C-c");
        WaitFor("^C", 1);
        Statement("SELECT 'fresh' AS f;", "│ fresh   │");
        // Ctrl-L clears the screen: the prompt is on its first line.
        Key("C-l");
        var sw = Stopwatch.StartNew();
        while (!Visible().StartsWith("ql>", StringComparison.Ordinal) && sw.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(100);
        Assert.StartsWith("ql>", Visible());
        // Ctrl-D leaves; the history survives for the next session (Up recalls the last statement).
        Key("C-d");
        Thread.Sleep(1500);
        Assert.Contains("SELECT 'still here' AS s;", File.ReadAllText(Path.Combine(_home.Path, ".querylake_history")));
        Tmux("kill-server");
        Start();
        Key("Up");
        WaitFor("ql> SELECT 'fresh' AS f;", 1);
    }

    public void Dispose()
    {
        if (_socket.Length > 0) try { Tmux("kill-server"); } catch (Xunit.Sdk.XunitException) { }
        _home.Dispose();
        _lake.Dispose();
    }
}
