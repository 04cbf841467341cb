using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Issuance;

/// <summary>The scopes and audiences one token is issued for.</summary>
public sealed record TokenGrant(string Scope, IReadOnlyList<string> Audiences);

/// <summary>
/// Decides a token's scope (RFC 6749 §3.3) and audiences. Without <c>scope</c> a client gets its API permissions; the
/// management scopes come only when asked for by name, alone, in a token whose only audience is the management API's,
/// so a token held by a partner API can never be replayed against <c>/api/v1</c>.
/// </summary>
public sealed class ScopeResolver(IOptions<TokenServiceOptions> options)
{
    private readonly TokenServiceOptions _options = options.Value;

    public (TokenGrant? Grant, OAuthError? Error) Resolve(CachedClient client, string? requestedScope, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.Scopes.Count == 0)
        {
            return (null, new OAuthError(StatusCodes.Status400BadRequest, Endpoints.OAuthErrors.UnauthorizedClient,
                "the application holds no API permissions"));
        }

        if (string.IsNullOrWhiteSpace(requestedScope))
        {
            return client.DefaultScope.Length == 0
                ? (null, OAuthError.InvalidScope(
                    $"this application holds only management scopes: request '{string.Join("' or '", client.Scopes)}' by name"))
                : (new TokenGrant(client.DefaultScope, ApiAudiences(client.DefaultScope)), null);
        }

        var requested = requestedScope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (requested.FirstOrDefault(s => !client.Scopes.Contains(s)) is { } refused)
        {
            return (null, OAuthError.InvalidScope($"the scope '{PlainText.Echo(refused)}' is not granted to this application"));
        }

        var scope = string.Join(' ', requested);
        var management = requested.Count(TokenScopes.IsManagementScope);
        if (management == 0)
        {
            return (new TokenGrant(scope, ApiAudiences(scope)), null);
        }

        return management == requested.Count
            ? (new TokenGrant(scope, [TokenIssuer.ManagementAudience(_options, request)]), null)
            : (null, OAuthError.InvalidScope(
                "management scopes are issued in a token of their own, for the management API: request them separately from API scopes"));
    }

    private List<string> ApiAudiences(string scope)
    {
        if (_options.ApiAudiences.Count == 0)
        {
            return [_options.DefaultAudience];
        }

        var audiences = new List<string>(2);
        foreach (var granted in scope.Split(' '))
        {
            var resource = granted.EndsWith(ApiCatalog.SandboxSuffix, StringComparison.Ordinal)
                ? granted[..^ApiCatalog.SandboxSuffix.Length]
                : granted;
            var audience = _options.ApiAudiences.GetValueOrDefault(resource, _options.DefaultAudience);
            if (!audiences.Contains(audience))
            {
                audiences.Add(audience);
            }
        }

        return audiences;
    }
}
