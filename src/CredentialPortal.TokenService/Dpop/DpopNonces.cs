using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Dpop;

/// <summary>
/// Server nonces for DPoP proofs (RFC 9449 §8, §9): the number of the current time window, protected with Data
/// Protection. The key ring is shared through the database, so a nonce any instance issued is accepted by every
/// instance without a database round trip, and nothing is stored per nonce. A nonce is handed out during its window
/// and accepted during that window and the next (<see cref="DpopOptions.NonceLifetimeSeconds"/>), on the injected clock.
/// </summary>
public sealed class DpopNonces(IDataProtectionProvider protection, IOptions<TokenServiceOptions> options, TimeProvider time)
{
    /// <summary>Longer values cannot be ours (ours are about 120 characters): refused before any decryption.</summary>
    public const int MaxNonceLength = 512;

    private readonly IDataProtector _protector = protection.CreateProtector("CredentialPortal.TokenService.DpopNonce.v1");
    private readonly int _lifetimeSeconds = options.Value.Dpop.NonceLifetimeSeconds;

    // The nonce of the current window, made once per window rather than per response.
    private IssuedNonce? _current;

    public bool Required { get; } = options.Value.Dpop.RequireNonce;

    /// <summary>The nonce to hand out now (the <c>DPoP-Nonce</c> header).</summary>
    public string Current()
    {
        var window = Window();
        if (Volatile.Read(ref _current) is { } current && current.Window == window)
        {
            return current.Value;
        }

        var payload = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(payload, window);
        var issued = new IssuedNonce(window, Base64UrlEncoder.Encode(_protector.Protect(payload)));
        Volatile.Write(ref _current, issued);
        return issued.Value;
    }

    /// <summary>Whether <paramref name="nonce"/> was issued by an instance of this service in this window or the last.</summary>
    public bool IsValid(string nonce)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        if (nonce.Length is 0 or > MaxNonceLength)
        {
            return false;
        }

        try
        {
            var payload = _protector.Unprotect(Base64UrlEncoder.DecodeBytes(nonce));
            return payload.Length == sizeof(long) && Window() - BinaryPrimitives.ReadInt64BigEndian(payload) is 0 or 1;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private long Window() => time.GetUtcNow().ToUnixTimeSeconds() / _lifetimeSeconds;

    private sealed record IssuedNonce(long Window, string Value);
}
