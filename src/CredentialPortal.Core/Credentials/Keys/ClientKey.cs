using CredentialPortal.Core.Applications;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// A partner's public key (RFC 7523 <c>private_key_jwt</c>): the private key never leaves the partner's system, so
/// nothing secret is stored. <see cref="ClientCredential.Hint"/> holds the RFC 7638 thumbprint, which is also the
/// <c>kid</c> a client may send.
/// </summary>
public sealed class ClientKey : ClientCredential
{
    public const int MaxJwkLength = 4000;
    public const int MaxDescriptionLength = 200;

    public ClientKey() => Kind = CredentialKind.Key;

    public Application Application { get; set; } = null!;

    /// <summary>The public key as a JWK (public members only), as the token service loads it.</summary>
    public required string PublicJwk { get; init; }

    /// <summary>E.g. "RSA 3072" or "EC P-256", or a certificate's subject.</summary>
    public required string KeyDescription { get; init; }

    /// <summary>When the key came in an X.509 certificate: its <c>notAfter</c> (the key's expiry never exceeds it).</summary>
    public DateTime? CertificateNotAfter { get; init; }
}
