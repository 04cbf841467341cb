using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace CredentialPortal.Testing;

/// <summary>
/// Ports for a server that must be reached as <c>localhost</c> (a passkey's origin, a TLS certificate's name), so its
/// address has to be known before it starts. A browser resolves <c>localhost</c> to <c>::1</c> as well as
/// <c>127.0.0.1</c>, and the two have separate port spaces: such a server listens on both, or the browser may reach
/// another test's server that happens to hold the same number on the other one.
/// </summary>
public static class LoopbackPorts
{
    public static IReadOnlyList<IPAddress> Addresses { get; } =
        Socket.OSSupportsIPv6 ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : [IPAddress.Loopback];

    /// <summary>A port free on every loopback address at the time of the call (a server may still take it before ours binds).</summary>
    public static int Free()
    {
        while (true)
        {
            using var first = new TcpListener(Addresses[0], 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            if (Addresses.Skip(1).All(address => IsFree(address, port)))
            {
                return port;
            }
        }
    }

    /// <summary>Whether starting a server failed because its port was taken meanwhile, the one case worth a new port.</summary>
    public static bool IsAddressInUse(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }
}
