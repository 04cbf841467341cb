namespace CredentialPortal.Core.Signing;

/// <summary>
/// A token-signing key. Published in JWKS from <see cref="CreatedAt"/> until <see cref="UnpublishAt"/> (retirement plus the
/// token lifetime); signs from <see cref="ActivatesAt"/> until <see cref="RetiresAt"/>.
/// </summary>
public sealed class SigningKey
{
    /// <summary>The JWK <c>kid</c>.</summary>
    public required string Id { get; init; }

    /// <summary><c>RS256</c> or <c>ES256</c>.</summary>
    public required string Algorithm { get; init; }

    public DateTime CreatedAt { get; init; }
    public DateTime ActivatesAt { get; init; }
    public DateTime RetiresAt { get; set; }

    /// <summary>After this instant the key no longer appears in JWKS (every token it signed has expired).</summary>
    public DateTime UnpublishAt { get; set; }

    /// <summary>The private key (PKCS#8), protected with ASP.NET Core Data Protection.</summary>
    public required string ProtectedPrivateKey { get; init; }

    /// <summary>The public key as a JWK JSON object, as published.</summary>
    public required string PublicJwk { get; init; }
}
