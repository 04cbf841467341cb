using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CredentialPortal.Testing;

/// <summary>
/// A TCP proxy on a loopback port in front of a real server (PostgreSQL), which a test cuts and restores to take the
/// server away from one app without disturbing anything else that uses it. <see cref="Cut"/> closes every connection
/// through the proxy and stops listening, so new connections are refused exactly as by a stopped server;
/// <see cref="Restore"/> listens again on the same port.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Socket, Socket> _connections = new();
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _listening;

    private TcpFaultProxy(IPEndPoint target)
    {
        _target = target;
        Port = Listen(0);
    }

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port { get; }

    public bool IsCut { get; private set; }

    public static async Task<TcpFaultProxy> StartAsync(string host, int port)
    {
        var addresses = await Dns.GetHostAddressesAsync(host);
        return new TcpFaultProxy(new IPEndPoint(addresses.First(a => a.AddressFamily == AddressFamily.InterNetwork), port));
    }

    /// <summary>Drops every connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            IsCut = true;
            _listening?.Cancel();
            _listener?.Stop();
            _listener = null;
            foreach (var (client, server) in _connections)
            {
                Close(client, server);
            }
        }
    }

    /// <summary>Accepts connections again, on the same port.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            if (IsCut)
            {
                Listen(Port);
                IsCut = false;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }

    private int Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        // The port may still hold connections in TIME_WAIT from before the cut.
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        var listening = new CancellationTokenSource();
        _listener = listener;
        _listening = listening;
        _ = AcceptAsync(listener, listening.Token);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, cancellationToken);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cancellationToken)
    {
        var server = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_target, cancellationToken);
            _connections[client] = server;
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            // Either direction ending (or the cut closing both sockets) ends the connection.
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, or the target is down: the client sees its connection closed.
        }
        finally
        {
            _connections.TryRemove(client, out _);
            Close(client, server);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The other side or the cut closed the connection.
        }
    }

    private static void Close(Socket client, Socket server)
    {
        client.Dispose();
        server.Dispose();
    }
}
