using System.Diagnostics;
using System.Text;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>Runs the built CredentialPortal.Web as a real process, as a user on the command line would.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private AppProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string StandardOutput => Read(_stdout);
    public string StandardError => Read(_stderr);

    public static AppProcess Start(string dataDirectory, params string[] args) => Start(dataDirectory, new Dictionary<string, string?>(), args);

    /// <summary>
    /// Starts the app with extra environment variables; a null value removes a variable. <c>TokenService__Issuer</c>
    /// is set by default (the app runs as Production, which requires it).
    /// </summary>
    public static AppProcess Start(string dataDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CredentialPortal.Web.dll"));
        foreach (var arg in args.Concat(["--urls", "http://127.0.0.1:0", $"--Database:DataDirectory={dataDirectory}"]))
        {
            start.ArgumentList.Add(arg);
        }

        // Keep the developer's or CI's environment from steering the app under test.
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment["TokenService__Issuer"] = "http://127.0.0.1";
        // Each configuration file watcher takes an inotify instance, of which a machine running many tests has few.
        start.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return new AppProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits until standard output contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!StandardOutput.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' did not appear. Output:\n{StandardOutput}\nErrors:\n{StandardError}");
            }

            await Task.Delay(100);
        }
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
