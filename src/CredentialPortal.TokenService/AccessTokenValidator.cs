using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using CredentialPortal.TokenService.Signing;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService;

/// <summary>What a request's <c>Authorization: Bearer</c> header amounts to.</summary>
public enum BearerStatus
{
    /// <summary>No bearer token: answer 401 with a bare <c>WWW-Authenticate: Bearer</c> (RFC 6750 §3.1).</summary>
    Missing,

    /// <summary>A token that is not valid: answer 401 with <c>error="invalid_token"</c>.</summary>
    Invalid,

    Valid,
}

/// <summary>A validated access token of ours.</summary>
public sealed record ValidatedAccessToken(string ClientId, IReadOnlyList<string> Scopes, DateTime ExpiresAt, ClaimsIdentity Identity);

/// <summary>
/// Validates bearer tokens this service issued: signature against our published keys, <c>typ: at+jwt</c>, issuer,
/// audience and lifetime (on the injected clock). Used by <c>/connectivity</c> and by the management API.
/// </summary>
public sealed class AccessTokenValidator(SigningKeyStore keys, IOptions<TokenServiceOptions> options, TimeProvider time)
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenServiceOptions _options = options.Value;

    /// <summary>Reads and validates the request's bearer token against the issuer the request resolves to.</summary>
    public async Task<(BearerStatus Status, ValidatedAccessToken? Caller)> ValidateRequestAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string scheme = "Bearer ";
        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1 || authorization.ToString() is not { } header
            || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return (BearerStatus.Missing, null);
        }

        var caller = await ValidateAsync(header[scheme.Length..].Trim(), TokenIssuer.Resolve(_options, request), request.HttpContext.RequestAborted);
        return caller is null ? (BearerStatus.Invalid, null) : (BearerStatus.Valid, caller);
    }

    /// <summary>Returns the token's caller, or null when the token is not one of ours or no longer valid.</summary>
    public async Task<ValidatedAccessToken?> ValidateAsync(string token, string issuer, CancellationToken cancellationToken)
    {
        var keySet = await keys.GetAsync(cancellationToken);
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudiences = [_options.DefaultAudience, .. _options.ApiAudiences.Values],
            IssuerSigningKeys = keySet.Published,
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = [SigningKeyStore.RS256, SigningKeyStore.ES256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            // Lifetime is checked below on the injected clock, which IdentityModel 8.16 cannot use.
            ValidateLifetime = false,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || !jwt.TryGetPayloadValue<string>("client_id", out var clientId) || string.IsNullOrEmpty(clientId))
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (jwt.ValidTo == DateTime.MinValue || now >= jwt.ValidTo + ClockSkew || now < jwt.ValidFrom - ClockSkew)
        {
            return null;
        }

        var scopes = jwt.TryGetPayloadValue<string>("scope", out var scope) && scope is not null
            ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : [];
        return new ValidatedAccessToken(clientId, scopes, jwt.ValidTo, result.ClaimsIdentity);
    }
}
