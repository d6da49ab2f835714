using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace E2eeChat.Testing.Processes;

/// <summary>
/// A real server binary started for a test run. Output is kept so that a failed
/// start can say why; the process tree is killed on dispose.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    // Enough for a server logging at Trace through a whole test; beyond it output is dropped and said so.
    private const int MaxOutputChars = 16 * 1024 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>True when output beyond <see cref="MaxOutputChars"/> was dropped: <see cref="Output"/> is not all of it.</summary>
    public bool OutputTruncated { get; private set; }

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/>; as <paramref name="runAsUser"/> when given and we are root.</summary>
    public static ServerProcess Start(string name, string fileName, IEnumerable<string> arguments,
        string? runAsUser = null, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (runAsUser is not null && Environment.UserName == "root")
        {
            // setpriv execs in place, so the PID we hold is the server itself.
            info.FileName = "setpriv";
            info.ArgumentList.Add($"--reuid={runAsUser}");
            info.ArgumentList.Add($"--regid={runAsUser}");
            info.ArgumentList.Add("--init-groups");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(fileName);
        }
        else
        {
            info.FileName = fileName;
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, name);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Runs a command to completion and throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string? runAsUser = null,
        TimeSpan? timeout = null)
    {
        using var process = Start(Path.GetFileName(fileName), fileName, arguments, runAsUser);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await process._process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        if (process._process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} exited with {process._process.ExitCode}:{Environment.NewLine}{process.Output}");
        }
        return process.Output;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) =>
        _process.WaitForExitAsync(cancellationToken);

    /// <summary>
    /// Stops the process as an operator does (SIGTERM) and waits until it has exited and its output
    /// has been read to the end, so <see cref="Output"/> holds everything it wrote.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await signal.WaitForExitAsync().ConfigureAwait(false);
        }
        using var cts = new CancellationTokenSource(timeout);
        // With redirected output, this also waits for the end of both streams.
        await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
    }

    /// <summary>Kills the whole process tree at once, like a crash (kill -9).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Length + line.Length < MaxOutputChars)
            {
                _output.AppendLine(line);
            }
            else
            {
                OutputTruncated = true;
            }
        }
    }
}
