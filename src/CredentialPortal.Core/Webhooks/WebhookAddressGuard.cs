using System.Net;
using System.Net.Sockets;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// A delivery refused before any byte was sent: the address is not one webhooks may reach. The message names what the
/// host resolved to, for the operators' log; credential managers see only a category (<see cref="WebhookSender"/>).
/// </summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);

/// <summary>
/// SSRF protection: webhooks go to the public internet, not to this host, its cloud metadata service or the internal
/// network — unless an administrator allowed that (<see cref="WebhookOptions.AllowPrivateNetworks"/> or the endpoint's
/// <see cref="WebhookEndpoint.AllowPrivateNetwork"/>). Checked on the address actually connected to, inside the socket
/// connect of the HTTP handler, so a host name that resolves to a public address when registered and to a private one
/// later (DNS rebinding) is refused as well.
/// </summary>
public static class WebhookAddressGuard
{
    private static readonly IPNetwork[] Forbidden =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, cloud metadata services
        IPNetwork.Parse("168.63.129.16/32"), // Azure's platform address (DHCP, DNS, health probes, the VM agent)
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("224.0.0.0/3"),      // multicast and reserved, broadcast
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("64:ff9b::/96"),     // NAT64 of any IPv4 address, private ones included
        IPNetwork.Parse("64:ff9b:1::/48"),   // local-use NAT64 (RFC 8215): the same, within one network
        IPNetwork.Parse("2001::/32"),        // Teredo: an IPv4 address and port, obfuscated, inside an IPv6 one
        IPNetwork.Parse("2002::/16"),        // 6to4 (deprecated, RFC 7526): the next 32 bits are an IPv4 address, private ones included
        IPNetwork.Parse("fc00::/7"),         // unique local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated, still routed internally)
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    /// <summary>Loopback, link-local, private, unique-local and other non-public addresses (IPv4-mapped IPv6 included).</summary>
    public static bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return Forbidden.Any(network => network.Contains(address));
    }

    /// <summary>
    /// Resolves the host and connects to the first permitted address; the connected peer is checked once more. The
    /// handler never resolves the name itself, so what is checked is what is connected to.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivateNetwork, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var permitted = allowPrivateNetwork ? addresses : addresses.Where(a => !IsForbidden(a)).ToArray();
        if (permitted.Length == 0)
        {
            // No address at all is a name that does not resolve, which the handler classifies as such from this error code.
            throw addresses.Length == 0
                ? new SocketException((int)SocketError.HostNotFound)
                : new WebhookAddressRefusedException(
                    $"{endpoint.Host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}: loopback, link-local and private addresses are not allowed for webhooks.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, endpoint.Port, cancellationToken);
            if (!allowPrivateNetwork && socket.RemoteEndPoint is IPEndPoint peer && IsForbidden(peer.Address))
            {
                throw new WebhookAddressRefusedException($"Connected to {peer.Address}, which webhooks may not reach.");
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
