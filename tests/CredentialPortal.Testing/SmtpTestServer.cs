using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CredentialPortal.Testing;

/// <summary>
/// A minimal SMTP server on a loopback port for tests: speaks enough RFC 5321 (and AUTH PLAIN) for MailKit, records
/// every accepted message, and can be told to refuse the next messages with a 4xx or 5xx reply. <see cref="Silent"/>
/// makes one that accepts connections and never says a word, like a hung server, until <see cref="StartAnswering"/>.
/// <see cref="OnPort"/> starts one on a port chosen earlier, e.g. one where nothing listened while "the server was down".
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _messages = [];
    private readonly Queue<string> _refusals = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _silent;
    private readonly string? _credentials;
    private readonly Task _accepting;

    /// <param name="userName">With a user name, the server offers AUTH PLAIN and accepts only this user and <paramref name="password"/>.</param>
    /// <param name="password">The password of <paramref name="userName"/>.</param>
    public SmtpTestServer(string? userName = null, string? password = null)
        : this(silent: false, userName is null ? null : $"\0{userName}\0{password}", port: 0)
    {
    }

    private SmtpTestServer(bool silent, string? credentials, int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _silent = silent;
        _credentials = credentials;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A server that accepts the TCP connection and then never answers.</summary>
    public static SmtpTestServer Silent() => new(silent: true, credentials: null, port: 0);

    /// <summary>A normal server on <paramref name="port"/>.</summary>
    public static SmtpTestServer OnPort(int port) => new(silent: false, credentials: null, port);

    /// <summary>A loopback port where nothing listens (now): connecting to it is refused, as to a mail server that is down.</summary>
    public static int UnusedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>A silent server answers the connections it accepts from now on; those already hanging stay silent.</summary>
    public void StartAnswering() => _silent = false;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Completes when the first client has connected.</summary>
    public Task Connected => _connected.Task;

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Answer the end of the next message's DATA with this reply instead of 250, e.g. <c>451 try later</c>.</summary>
    public void RefuseNext(string reply)
    {
        lock (_refusals)
        {
            _refusals.Enqueue(reply);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _connected.TrySetResult();
            _ = Task.Run(() => ConverseAsync(client));
        }
    }

    private async Task ConverseAsync(TcpClient client)
    {
        using var _ = client;
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        try
        {
            if (_silent)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            await writer.WriteLineAsync("220 localhost test SMTP");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var words = line.Split(' ');
                switch (words[0].ToUpperInvariant())
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-localhost");
                        if (_credentials is not null)
                        {
                            await writer.WriteLineAsync("250-AUTH PLAIN");
                        }

                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "AUTH":
                        var response = words.Length > 2 ? words[2] : await ChallengeAsync(reader, writer);
                        await writer.WriteLineAsync(IsAccepted(response) ? "235 2.7.0 authenticated" : "535 5.7.8 authentication credentials invalid");
                        break;
                    case "HELO" or "MAIL" or "RCPT" or "RSET" or "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        var message = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            message.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        await writer.WriteLineAsync(Accept(message.ToString()));
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 not implemented");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client hung up or the server is stopping.
        }
    }

    private async Task<string> ChallengeAsync(StreamReader reader, StreamWriter writer)
    {
        await writer.WriteLineAsync("334 ");
        return await reader.ReadLineAsync(_stop.Token) ?? "";
    }

    private bool IsAccepted(string base64)
    {
        try
        {
            return _credentials is not null && Encoding.UTF8.GetString(Convert.FromBase64String(base64)) == _credentials;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private string Accept(string message)
    {
        lock (_refusals)
        {
            if (_refusals.TryDequeue(out var refusal))
            {
                return refusal;
            }
        }

        lock (_messages)
        {
            _messages.Add(message);
        }

        return "250 queued";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
