using System.Collections.Frozen;
using CredentialPortal.Core.Secrets;

namespace CredentialPortal.TokenService.Clients;

/// <summary>What the token endpoint needs to know about one application, held in memory.</summary>
public sealed record CachedClient(
    int ApplicationId,
    int OrganisationId,
    string ClientId,
    string Name,
    bool ApplicationActive,
    bool OrganisationActive,
    FrozenSet<string> Scopes,
    string AllScopes,
    IReadOnlyList<CachedSecret> Secrets,
    long LoadedAt);

/// <summary>A secret's hash and state; secrets that can never work again (long expired) are still kept to explain the failure.</summary>
public sealed record CachedSecret(int Id, byte[] Hash, DateTime ExpiresAt, bool Disabled)
{
    public SecretStatus StatusAt(DateTime now) =>
        Disabled ? SecretStatus.Disabled : ExpiresAt <= now ? SecretStatus.Expired : SecretStatus.Active;
}
