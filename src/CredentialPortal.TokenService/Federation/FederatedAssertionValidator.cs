using System.Text.Json;
using CredentialPortal.Core.Credentials;
using CredentialPortal.TokenService.ClientAuthentication;
using CredentialPortal.TokenService.Clients;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Federation;

/// <summary>
/// Checks an external token presented as a client assertion against the federated identities of the client named by
/// <c>client_id</c>: its <c>iss</c> a trusted issuer; its signature by one of that issuer's keys
/// (<see cref="IssuerKeyCache"/>) with an accepted asymmetric algorithm, verified by Microsoft.IdentityModel's
/// <see cref="JsonWebTokenHandler"/>; <c>exp</c> present and not past, <c>nbf</c>/<c>iat</c> not in the future beyond the
/// clock skew, a lifetime of at most <see cref="FederationOptions.MaxTokenLifetimeSeconds"/>; then an identity whose
/// issuer, subject, audience (the token's only one) and extra claims all match exactly. Until the signature verifies,
/// every failure reads "client authentication failed"; a token that matches no identity is told the rule, never what
/// the identities hold. The audit reason says precisely what failed, for the application's managers.
/// </summary>
public sealed class FederatedAssertionValidator(
    IssuerKeyCache keys,
    TrustedIssuerList trustedIssuers,
    IOptions<FederationOptions> federation,
    IOptions<TokenServiceOptions> tokenService,
    TimeProvider time)
{
    private const string GenericFailure = "client authentication failed";
    private const string NoMatch = "no federated identity of this application accepts this token: its iss, sub, aud (one value) and the identity's extra claims must match exactly";

    private readonly JsonWebTokenHandler _handler = new();
    private readonly IReadOnlyList<string> _algorithms = tokenService.Value.ClientAssertion.AlgorithmList;

    public async Task<AssertionCheck> CheckAsync(CachedClient client, JsonWebToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(token);
        if (!_algorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            // Covers "none" and HMAC: an issuer's published keys are public, never a shared secret.
            return AssertionCheck.Failed("assertion_algorithm",
                $"the client_assertion must be signed with one of {string.Join(", ", _algorithms)}, not {token.Alg}");
        }

        var issuer = token.Issuer;
        if (!await trustedIssuers.IsTrustedAsync(issuer, cancellationToken))
        {
            return AssertionCheck.Failed("untrusted_issuer", "the client_assertion's issuer is not one this service trusts for federated identities");
        }

        var issuerKeys = await keys.KeysAsync(issuer, token.TryGetHeaderValue<string>("kid", out var kid) ? kid : null, cancellationToken);
        if (issuerKeys.Count == 0)
        {
            return AssertionCheck.Failed("issuer_keys_unavailable", "the issuer's signing keys cannot be fetched right now; retry later");
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = issuerKeys,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = _algorithms,
            ValidIssuer = issuer,
            RequireSignedTokens = true,
            // Audience and lifetime are checked below: the audience per identity, the lifetime on the injected clock.
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        if (!result.IsValid)
        {
            return AssertionCheck.Failed(result.Exception is SecurityTokenInvalidAlgorithmException ? "assertion_algorithm" : "wrong_signature", GenericFailure);
        }

        var options = federation.Value;
        var skew = TimeSpan.FromSeconds(tokenService.Value.ClientAssertion.ClockSkewSeconds);
        var now = time.GetUtcNow().UtcDateTime;
        if (LifetimeFailure(token, now, skew, options.MaxTokenLifetimeSeconds) is { } lifetimeFailure)
        {
            return lifetimeFailure;
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        var audience = OnlyAudience(payload.RootElement);
        var sameSubject = client.FederatedIdentities.Where(f => f.Issuer == issuer && f.Subject == token.Subject).ToList();
        var matching = sameSubject.Where(f => f.Audience == audience && f.Claims.All(c => ClaimMatches(payload.RootElement, c.Key, c.Value))).ToList();
        if (matching.Count == 0)
        {
            var reason = client.FederatedIdentities.All(f => f.Issuer != issuer) ? "no_federated_identity"
                : sameSubject.Count == 0 ? "wrong_subject"
                : sameSubject.All(f => f.Audience != audience) ? "wrong_audience"
                : "wrong_claims";
            return AssertionCheck.NoFit(reason, NoMatch);
        }

        // An active one when there is one, else the newest, so that the answer can say "disabled" or "expired".
        var identity = matching.FirstOrDefault(f => f.StatusAt(now) == CredentialStatus.Active) ?? matching.MaxBy(f => f.Id)!;
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(token.GetPayloadValue<long>("exp")).UtcDateTime;
        if (!options.SingleUse)
        {
            return new AssertionCheck(identity, null, expiresAt, null, null);
        }

        return token.Id is { Length: > 0 and <= ClientAssertionValidator.MaxJtiLength } jti
            ? new AssertionCheck(identity, jti, expiresAt + skew, null, null)
            : AssertionCheck.Failed("assertion_jti", "this service accepts each external token once: it needs a jti");
    }

    private static AssertionCheck? LifetimeFailure(JsonWebToken token, DateTime now, TimeSpan skew, int maxLifetimeSeconds)
    {
        if (!token.TryGetPayloadValue<long>("exp", out var exp))
        {
            return AssertionCheck.Failed("assertion_lifetime", "the client_assertion needs an exp");
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp).UtcDateTime;
        if (expiresAt <= now - skew)
        {
            return AssertionCheck.Failed("assertion_expired", "the client_assertion has expired (exp is in the past): get a new token from your platform");
        }

        if (token.TryGetPayloadValue<long>("nbf", out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf).UtcDateTime > now + skew)
        {
            return AssertionCheck.Failed("assertion_not_yet_valid", "the client_assertion is not valid yet (nbf is in the future)");
        }

        DateTime? issuedAt = token.TryGetPayloadValue<long>("iat", out var iat) ? DateTimeOffset.FromUnixTimeSeconds(iat).UtcDateTime : null;
        if (issuedAt > now + skew)
        {
            return AssertionCheck.Failed("assertion_issued_at", "the client_assertion's iat is in the future");
        }

        // Without iat, the time it has left stands in for its lifetime.
        return expiresAt - (issuedAt ?? now) > TimeSpan.FromSeconds(maxLifetimeSeconds) + skew
            ? AssertionCheck.Failed("assertion_lifetime", $"the client_assertion may live at most {maxLifetimeSeconds} seconds (exp − iat): ask your platform for a shorter-lived token")
            : null;
    }

    /// <summary>The token's audience when it names exactly one (a string, or a list of one as Kubernetes sends); else null.</summary>
    private static string? OnlyAudience(JsonElement payload) =>
        !payload.TryGetProperty("aud", out var aud) ? null
        : aud.ValueKind == JsonValueKind.String ? aud.GetString()
        : aud.ValueKind == JsonValueKind.Array && aud.GetArrayLength() == 1 && aud[0].ValueKind == JsonValueKind.String ? aud[0].GetString()
        : null;

    /// <summary>A claim compared as text: a string's value, or a number's or boolean's JSON (GitHub sends ids as strings, others as numbers).</summary>
    private static bool ClaimMatches(JsonElement payload, string name, string expected) =>
        payload.TryGetProperty(name, out var value) && (value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        }) == expected;
}
