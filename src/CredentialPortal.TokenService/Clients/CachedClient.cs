using System.Collections.Frozen;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Clients;

/// <summary>
/// What the token service needs to know about one application, held in memory. <c>Scopes</c> holds every scope the
/// application may request (its API permissions and the management scopes it holds); <c>DefaultScope</c> is what a
/// request without <c>scope</c> gets: the API permissions only. Management scopes are issued only when asked for by
/// name, so a token meant for a partner API never opens the management API.
/// </summary>
public sealed record CachedClient(
    int ApplicationId,
    int OrganisationId,
    string ClientId,
    string Name,
    bool ApplicationActive,
    bool OrganisationActive,
    bool IsResourceServer,
    FrozenSet<string> Scopes,
    string DefaultScope,
    IReadOnlyList<CachedSecret> Secrets,
    long LoadedAt)
{
    /// <summary>The application's public keys (private_key_jwt), each with its <see cref="SecurityKey"/> built once.</summary>
    public IReadOnlyList<CachedKey> Keys { get; init; } = [];

    /// <summary>The workloads that authenticate with their platform's tokens.</summary>
    public IReadOnlyList<CachedFederatedIdentity> FederatedIdentities { get; init; } = [];

    /// <summary>The kinds of credential that obtain tokens (<see cref="Application.AllowedKinds"/>).</summary>
    public AllowedKinds AllowedKinds { get; init; } = AllowedKinds.All;

    /// <summary><see cref="Application.RequireDpop"/>: tokens only with a DPoP proof, and bearer tokens refused everywhere.</summary>
    public bool RequireDpop { get; init; }

    /// <summary>A resource server's own audiences (<see cref="Application.IntrospectionAudiences"/>); empty for the partner APIs'.</summary>
    public IReadOnlyList<string> IntrospectionAudiences { get; init; } = [];

    /// <summary>A credential of any kind by id: what an access token's credential claim names.</summary>
    public CachedCredential? Credential(int id) =>
        (CachedCredential?)Secrets.FirstOrDefault(s => s.Id == id) ?? (CachedCredential?)Keys.FirstOrDefault(k => k.Id == id)
        ?? FederatedIdentities.FirstOrDefault(f => f.Id == id);
}

/// <summary>What the token service knows of any credential: its state, and whether the application's policy lets it work.</summary>
public abstract record CachedCredential(int Id, DateTime ExpiresAt, DateTime? DisabledAt)
{
    public abstract CredentialKind Kind { get; }

    public CredentialStatus StatusAt(DateTime now) => ClientCredential.StatusOf(DisabledAt, ExpiresAt, now);
}

/// <summary>A secret's hash and state; secrets that can never work again (long expired) are still kept to explain the failure.</summary>
public sealed record CachedSecret(int Id, byte[] Hash, DateTime ExpiresAt, DateTime? DisabledAt) : CachedCredential(Id, ExpiresAt, DisabledAt)
{
    public override CredentialKind Kind => CredentialKind.Secret;

    /// <summary>Reported as found in public: a refusal says so, so that its owners rotate rather than re-enable it.</summary>
    public bool Leaked { get; init; }
}

/// <summary>
/// A public key and the identifiers a client assertion may name it by in <c>kid</c>, <c>x5t</c> or <c>x5t#S256</c>:
/// the RFC 7638 thumbprint, and a certificate's SHA-1 and SHA-256 thumbprints.
/// </summary>
public sealed record CachedKey(int Id, SecurityKey Key, FrozenSet<string> Identifiers, DateTime ExpiresAt, DateTime? DisabledAt)
    : CachedCredential(Id, ExpiresAt, DisabledAt)
{
    public override CredentialKind Kind => CredentialKind.Key;

    /// <summary>Builds the key once per load: Microsoft.IdentityModel caches signature providers per key object.</summary>
    public static CachedKey? From(int id, string publicJwk, DateTime expiresAt, DateTime? disabledAt)
    {
        var jwk = new JsonWebKey(publicJwk);
        if (!JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var key))
        {
            return null;
        }

        key.KeyId = jwk.Kid;
        IEnumerable<string?> identifiers = [jwk.Kid, jwk.X5t, jwk.AdditionalData.TryGetValue("x5t#S256", out var s256) ? s256 as string : null];
        return new CachedKey(id, key, identifiers.OfType<string>().ToFrozenSet(StringComparer.Ordinal), expiresAt, disabledAt);
    }
}

/// <summary>A federated identity: what an external token must carry to count as this application (see <see cref="FederatedIdentity"/>).</summary>
public sealed record CachedFederatedIdentity(int Id, string Issuer, string Subject, string Audience, IReadOnlyDictionary<string, string> Claims,
    DateTime ExpiresAt, DateTime? DisabledAt) : CachedCredential(Id, ExpiresAt, DisabledAt)
{
    public override CredentialKind Kind => CredentialKind.FederatedIdentity;
}
