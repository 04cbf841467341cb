using System.Text.Json;
using CredentialPortal.Core.Credentials;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.ClientAuthentication;

/// <summary>
/// The outcome of checking a client assertion: the credential it proved — the key whose signature verified, or the
/// federated identity the external token matched — whatever its state, so that the caller can say "disabled" or
/// "expired"; the <c>jti</c> and <c>exp</c> for the replay store (no jti: not single-use); or a failure reason (for the
/// audit) and a description (for the client).
/// </summary>
public sealed record AssertionCheck(CachedCredential? Credential, string? Jti, DateTime ExpiresAt, string? Reason, string? Description)
{
    /// <summary>
    /// None of the client's credentials, as this instance holds them, fits the assertion: one created a moment ago on
    /// another instance might, so the caller rereads the client once before refusing.
    /// </summary>
    public bool NoCredentialFits { get; init; }

    public static AssertionCheck Failed(string reason, string description) => new(null, null, default, reason, description);

    public static AssertionCheck NoFit(string reason, string description) => Failed(reason, description) with { NoCredentialFits = true };
}

/// <summary>
/// Checks a <c>private_key_jwt</c> assertion (RFC 7523 §3) with Microsoft.IdentityModel's
/// <see cref="JsonWebTokenHandler.ValidateTokenAsync(SecurityToken, TokenValidationParameters)"/>: signature by a key of the
/// client (<c>kid</c>, <c>x5t#S256</c> or <c>x5t</c> selects it; without one, the newest
/// <see cref="MaxKeysTriedWithoutKid"/> active keys are tried), an accepted asymmetric algorithm, <c>iss</c> = <c>sub</c> =
/// client_id, <c>aud</c> one string: the issuer, or the token endpoint URL unless
/// <see cref="ClientAssertionOptions.AcceptTokenEndpointAudience"/> is off; <c>exp</c> present, not past and at most
/// <see cref="ClientAssertionOptions.MaxLifetimeSeconds"/> ahead, <c>nbf</c>/<c>iat</c> (optional) not in the future
/// beyond the clock skew, and a <c>jti</c>. Until the signature verifies, every failure reads "client authentication
/// failed", so a caller without the private key learns nothing about the client's keys.
/// </summary>
public sealed class ClientAssertionValidator(IOptions<TokenServiceOptions> options, TimeProvider time)
{
    public const int MaxJtiLength = 256;

    /// <summary>
    /// Each key tried is a signature check that anyone who knows a client_id can make us do: an assertion that names no
    /// key is checked against this many active keys at most (newest first). A client with more names its key by kid.
    /// </summary>
    public const int MaxKeysTriedWithoutKid = 3;
    private const string GenericFailure = "client authentication failed";

    private readonly JsonWebTokenHandler _handler = new();
    private readonly ClientAssertionOptions _options = options.Value.ClientAssertion;
    private readonly HashSet<string> _algorithms = [.. options.Value.ClientAssertion.AlgorithmList];

    public IReadOnlyList<string> Algorithms => _options.AlgorithmList;

    public async Task<AssertionCheck> CheckAsync(CachedClient client, JsonWebToken assertion, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(assertion);
        ArgumentNullException.ThrowIfNull(request);
        if (!_algorithms.Contains(assertion.Alg))
        {
            // Covers "none" and HMAC (which would make a public key a shared secret).
            return AssertionCheck.Failed("assertion_algorithm",
                $"the client_assertion must be signed with one of {string.Join(", ", Algorithms)}, not {assertion.Alg}");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var candidates = Candidates(client, assertion, now);
        if (candidates.Count == 0)
        {
            return AssertionCheck.NoFit(client.Keys.Count == 0 ? "no_keys" : "unknown_key", GenericFailure);
        }

        var issuer = TokenIssuer.Resolve(options.Value, request);
        string[] audiences = _options.AcceptTokenEndpointAudience ? [issuer, issuer + TokenEndpoint.Path] : [issuer];
        var result = await _handler.ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            IssuerSigningKeys = candidates.Select(k => k.Key),
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = Algorithms,
            ValidIssuer = client.ClientId,
            ValidAudiences = audiences,
            RequireSignedTokens = true,
            // The lifetime is checked below, on the injected clock.
            ValidateLifetime = false,
        });
        // One string, not a list that merely contains ours: an assertion made for another server as well could be
        // replayed here by that server (the audience injection that RFC 7523bis closes with a single-valued aud).
        if (result.Exception is SecurityTokenInvalidAudienceException || (result.IsValid && !HasSingleAudience(assertion)))
        {
            return AssertionCheck.Failed("assertion_audience", $"the client_assertion's aud must be one string: {string.Join(" or ", audiences)}");
        }

        if (!result.IsValid)
        {
            return Failure(result.Exception);
        }

        var key = candidates.First(k => ReferenceEquals(k.Key, result.SecurityToken.SigningKey));
        var skew = TimeSpan.FromSeconds(_options.ClockSkewSeconds);
        if (!assertion.TryGetPayloadValue<long>("exp", out var exp))
        {
            return AssertionCheck.Failed("assertion_lifetime", "the client_assertion needs an exp");
        }

        // No skew here: the replay store keeps a jti only as long as its assertion can be accepted (see ReplayRowExpiry).
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp).UtcDateTime;
        if (expiresAt <= now)
        {
            return AssertionCheck.Failed("assertion_expired", "the client_assertion has expired (exp is in the past)");
        }

        if (assertion.TryGetPayloadValue<long>("nbf", out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf).UtcDateTime > now + skew)
        {
            return AssertionCheck.Failed("assertion_not_yet_valid", "the client_assertion is not valid yet (nbf is in the future)");
        }

        if (expiresAt - now > TimeSpan.FromSeconds(_options.MaxLifetimeSeconds) + skew)
        {
            return AssertionCheck.Failed("assertion_lifetime",
                $"the client_assertion's exp may be at most {_options.MaxLifetimeSeconds} seconds ahead");
        }

        // iat is optional (RFC 7523 §3; MSAL.NET's certificate assertions have none), but never in the future.
        if (assertion.TryGetPayloadValue<long>("iat", out var iat) && DateTimeOffset.FromUnixTimeSeconds(iat).UtcDateTime > now + skew)
        {
            return AssertionCheck.Failed("assertion_issued_at", "the client_assertion's iat is in the future: check your system's clock");
        }

        if (assertion.Id is not { Length: > 0 and <= MaxJtiLength } jti)
        {
            return AssertionCheck.Failed("assertion_jti", $"the client_assertion needs a jti (a unique id, at most {MaxJtiLength} characters)");
        }

        // Kept past exp by the clock skew: another instance whose clock lags ours still accepts the assertion that long.
        return new AssertionCheck(key, jti, expiresAt + skew, null, null);
    }

    /// <summary>
    /// The keys the assertion names (by kid or certificate thumbprint) whatever their state, so that the answer can say
    /// "disabled" or "expired"; when it names none, the newest active keys, at most <see cref="MaxKeysTriedWithoutKid"/>.
    /// </summary>
    private static List<CachedKey> Candidates(CachedClient client, JsonWebToken assertion, DateTime now)
    {
        string?[] named = [Header(assertion, "kid"), Header(assertion, "x5t#S256"), Header(assertion, "x5t")];
        return named.All(n => n is null)
            ? [.. client.Keys.Where(k => k.StatusAt(now) == CredentialStatus.Active).OrderByDescending(k => k.Id).Take(MaxKeysTriedWithoutKid)]
            : [.. client.Keys.Where(k => named.Any(n => n is not null && k.Identifiers.Contains(n)))];
    }

    /// <summary>
    /// Whether the payload's <c>aud</c> is one string (not missing, not a list). The handler has parsed the payload
    /// already but keeps no trace of the claim's JSON type, so this reads the payload's top level once more, without
    /// building a document: it runs for every assertion.
    /// </summary>
    private static bool HasSingleAudience(JsonWebToken assertion)
    {
        var reader = new Utf8JsonReader(Base64UrlEncoder.DecodeBytes(assertion.EncodedPayload));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("aud"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.String;
            }

            reader.Skip();
        }

        return false;
    }

    private static string? Header(JsonWebToken token, string name) =>
        token.TryGetHeaderValue<string>(name, out var value) && value.Length > 0 ? value : null;

    private static AssertionCheck Failure(Exception? exception) => exception switch
    {
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            AssertionCheck.NoFit("wrong_signature", GenericFailure),
        SecurityTokenInvalidAlgorithmException => AssertionCheck.Failed("assertion_algorithm", "the client_assertion's algorithm is not accepted"),
        SecurityTokenInvalidIssuerException => AssertionCheck.Failed("assertion_issuer", "the client_assertion's iss must be the client_id"),
        _ => AssertionCheck.Failed("assertion_invalid", GenericFailure),
    };
}
