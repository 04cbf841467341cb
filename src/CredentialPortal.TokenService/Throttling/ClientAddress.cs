using System.Net;
using System.Net.Sockets;

namespace CredentialPortal.TokenService.Throttling;

/// <summary>The key under which per-address limits count a client.</summary>
public static class ClientAddress
{
    /// <summary>
    /// IPv4 addresses as they are; IPv6 addresses by their /64 network, because one subscriber usually gets a whole
    /// /64 and could otherwise take a fresh address, and a fresh allowance, for every request.
    /// </summary>
    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return $"{new IPAddress(bytes)}/64";
    }
}
