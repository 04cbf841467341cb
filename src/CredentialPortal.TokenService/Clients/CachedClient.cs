using System.Collections.Frozen;
using CredentialPortal.Core.Secrets;

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
    long LoadedAt);

/// <summary>A secret's hash and state; secrets that can never work again (long expired) are still kept to explain the failure.</summary>
public sealed record CachedSecret(int Id, byte[] Hash, DateTime ExpiresAt, DateTime? DisabledAt)
{
    public SecretStatus StatusAt(DateTime now) => ClientSecret.StatusOf(DisabledAt, ExpiresAt, now);
}
