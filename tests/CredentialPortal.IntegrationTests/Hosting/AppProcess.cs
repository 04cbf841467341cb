using System.Diagnostics;
using System.Text;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>Runs the built CredentialPortal.Web as a real process, as a user on the command line would.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            Append(_stdout, e.Data);
            if (e.Data is null)
            {
                _stdoutClosed.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int ProcessId => _process.Id;
    public string StandardOutput => Read(_stdout);
    public string StandardError => Read(_stderr);

    public static AppProcess Start(string dataDirectory, params string[] args) => Start(dataDirectory, new Dictionary<string, string?>(), args);

    /// <summary>
    /// Starts the app with extra environment variables; a null value removes a variable. <c>TokenService__Issuer</c>,
    /// <c>DataProtection__AllowUnprotectedKeys</c> and <c>Portal__BaseUrl</c> are set by default (the app runs as
    /// Production, which requires them).
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
        start.Environment["DataProtection__AllowUnprotectedKeys"] = "true";
        start.Environment["Portal__BaseUrl"] = "http://127.0.0.1";
        start.Environment["Bootstrap__AdminEmail"] = "admin@operator.example";
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
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Waits until standard output contains <paramref name="text"/>; fails as soon as the output ends without it.</summary>
    public async Task WaitForOutputAsync(string text, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (StandardOutput.Contains(text, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        }

        // Subscribed after Append, so each line is in the buffer when this handler sees it.
        DataReceivedEventHandler onLine = (_, _) => Check();
        _process.OutputDataReceived += onLine;
        try
        {
            Check();
            await Task.WhenAny(seen.Task, _stdoutClosed.Task).WaitAsync(cancellationToken);
            Check();
            if (!seen.Task.IsCompleted)
            {
                throw new InvalidOperationException($"'{text}' did not appear. Output:\n{StandardOutput}\nErrors:\n{StandardError}");
            }
        }
        finally
        {
            _process.OutputDataReceived -= onLine;
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
