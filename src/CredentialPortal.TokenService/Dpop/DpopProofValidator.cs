using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CredentialPortal.TokenService.ClientAuthentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Dpop;

/// <summary>A DPoP proof that passed every check: the RFC 7638 thumbprint of its key (<c>cnf.jkt</c>).</summary>
public sealed record DpopProof(string Thumbprint);

/// <summary>Why a proof was refused: <c>invalid_dpop_proof</c>, or <c>use_dpop_nonce</c> (retry with the DPoP-Nonce sent).</summary>
public sealed record DpopFailure(string Error, string Description)
{
    public const string InvalidProof = "invalid_dpop_proof";
    public const string UseNonce = "use_dpop_nonce";

    public static DpopFailure Invalid(string description) => new(InvalidProof, description);
}

/// <summary>
/// Checks the <c>DPoP</c> header of a request as RFC 9449 §4.3 lists: one header holding one signed JWT; <c>typ</c>
/// <c>dpop+jwt</c>; an accepted asymmetric <c>alg</c> (<see cref="DpopOptions.Algorithms"/>); a public RSA or EC
/// <c>jwk</c> in the header that verifies the signature (Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/>);
/// <c>htm</c> the request's method and <c>htu</c> its URL without query and fragment; <c>iat</c> within
/// <see cref="DpopOptions.ProofMaxAgeSeconds"/> (and the clock skew); a <c>jti</c> not accepted before on this instance;
/// a valid nonce when one is required or sent; and at a resource, <c>ath</c> the hash of the access token it comes with.
/// </summary>
public sealed class DpopProofValidator(
    IOptions<TokenServiceOptions> options, DpopNonces nonces, DpopReplayCache replays, AssertionReplayStore sharedReplays, TimeProvider time)
{
    public const string HeaderName = "DPoP";
    public const string NonceHeaderName = "DPoP-Nonce";
    public const string ProofType = "dpop+jwt";

    /// <summary>A proof with an RSA-4096 key is about 2,000 characters; anything far longer is not worth parsing.</summary>
    public const int MaxProofLength = 8192;

    public const int MaxJtiLength = 256;

    /// <summary>Scopes a proof's jti in the shared replay store by its key; no client_id (a UUID) has a space.</summary>
    private const string SharedReplayScope = "DPoP ";

    /// <summary>
    /// Keys are kept by thumbprint, as many as this: importing a public key costs several times its signature check, and
    /// a client signs all its proofs with one key. A full cache starts over (an attacker's fresh keys cost us no more
    /// than they would without it).
    /// </summary>
    public const int MaxCachedKeys = 10_000;

    private readonly DpopOptions _options = options.Value.Dpop;
    private readonly HashSet<string> _algorithms = [.. options.Value.Dpop.AlgorithmList];
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentDictionary<string, SecurityKey> _keys = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Algorithms => _options.AlgorithmList;

    /// <summary>Whether the request carries a DPoP header at all (one or more).</summary>
    public static bool IsPresent(HttpRequest request) => request?.Headers.ContainsKey(HeaderName) == true;

    /// <summary>
    /// Checks the request's proof for <paramref name="expectedUrl"/> (the URL the client was given for this endpoint); with
    /// <paramref name="accessToken"/>, also its <c>ath</c>. Records the <c>jti</c> once everything else holds. Call only
    /// when <see cref="IsPresent"/>.
    /// </summary>
    public async Task<(DpopProof? Proof, DpopFailure? Failure)> ValidateAsync(HttpRequest request, string expectedUrl, string? accessToken = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers[HeaderName];
        if (headers.Count != 1)
        {
            return Fail("send exactly one DPoP header");
        }

        if (Parse(headers[0]) is not { } proof)
        {
            return Fail($"the DPoP header must hold one signed JWT of at most {MaxProofLength} characters");
        }

        if (!string.Equals(proof.Typ, ProofType, StringComparison.OrdinalIgnoreCase))
        {
            return Fail($"the DPoP proof's typ must be {ProofType}");
        }

        if (!_algorithms.Contains(proof.Alg))
        {
            // Covers "none" and HMAC: a proof must show possession of a private key.
            return Fail($"the DPoP proof must be signed with one of {string.Join(", ", Algorithms)}");
        }

        if (PublicKey(proof) is not { } jwk || KeyOf(jwk) is not { } found)
        {
            return Fail("the DPoP proof's header needs the public RSA or EC key that signed it as jwk, without private members");
        }

        var (thumbprint, key) = found;

        // The nonce comes before the signature: a client's first request without one costs no signature check.
        var nonce = proof.TryGetPayloadValue<string>("nonce", out var sent) ? sent : null;
        if (nonce is null ? nonces.Required : !nonces.IsValid(nonce))
        {
            return (null, new DpopFailure(DpopFailure.UseNonce,
                nonce is null ? "a DPoP nonce is required: retry with the DPoP-Nonce of this answer" : "the DPoP nonce has expired: retry with the DPoP-Nonce of this answer"));
        }

        var result = await _handler.ValidateTokenAsync(proof, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidAlgorithms = Algorithms,
            RequireSignedTokens = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            // iat is checked below on the injected clock; a proof has no exp.
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        if (!result.IsValid)
        {
            return Fail("the DPoP proof's signature does not verify with its jwk");
        }

        if (Claims(proof, request.Method, expectedUrl, accessToken) is { } failure)
        {
            return (null, failure);
        }

        if (proof.Id is not { Length: > 0 and <= MaxJtiLength } jti)
        {
            return Fail($"the DPoP proof needs a jti (a unique id, at most {MaxJtiLength} characters)");
        }

        // Last, once everything else holds: a refused proof must not use up its jti.
        return replays.TryUse(thumbprint, jti) && await FirstUseOnAnyInstanceAsync(thumbprint, jti, iat: proof.IssuedAt, request.HttpContext.RequestAborted)
            ? (new DpopProof(thumbprint), null)
            : Fail("the DPoP proof was used before: every request needs a new proof with a new jti");
    }

    /// <summary>
    /// With nonces required, the operator asked that a proof not be replayable on another instance either: its jti is
    /// also recorded where client assertions' are, shared by every instance (one insert-if-absent, group-committed), until
    /// its <c>iat</c> window closes. Without, the per-instance cache alone answers, with no database round trip.
    /// </summary>
    private async Task<bool> FirstUseOnAnyInstanceAsync(string thumbprint, string jti, DateTime iat, CancellationToken cancellationToken) =>
        !nonces.Required
        || await sharedReplays.TryUseAsync(SharedReplayScope + thumbprint, jti, iat.AddSeconds(_options.ProofMaxAgeSeconds), cancellationToken);

    /// <summary>Base64url SHA-256 of the access token: a proof's <c>ath</c> (RFC 9449 §4.2).</summary>
    public static string TokenHash(string accessToken) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    private DpopFailure? Claims(JsonWebToken proof, string method, string expectedUrl, string? accessToken)
    {
        if (!proof.TryGetPayloadValue<string>("htm", out var htm) || htm != method)
        {
            return DpopFailure.Invalid($"the DPoP proof's htm must be {method}");
        }

        if (!proof.TryGetPayloadValue<string>("htu", out var htu) || !SameResource(htu, expectedUrl))
        {
            return DpopFailure.Invalid($"the DPoP proof's htu must be {expectedUrl}");
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (!proof.TryGetPayloadValue<long>("iat", out var iat) || iat < now - _options.ProofMaxAgeSeconds || iat > now + _options.ClockSkewSeconds)
        {
            return DpopFailure.Invalid($"the DPoP proof's iat must be the time it was made (at most {_options.ProofMaxAgeSeconds} seconds ago): make a new proof for each request and check your system's clock");
        }

        if (accessToken is not null && (!proof.TryGetPayloadValue<string>("ath", out var ath) || ath != TokenHash(accessToken)))
        {
            return DpopFailure.Invalid("the DPoP proof's ath must be the base64url SHA-256 hash of the access token it is sent with");
        }

        return null;
    }

    /// <summary>RFC 9449 §4.3: htu matches the request's URL, query and fragment aside, after syntax-based normalisation.</summary>
    private static bool SameResource(string htu, string expectedUrl) =>
        Uri.TryCreate(htu, UriKind.Absolute, out var presented) && Uri.TryCreate(expectedUrl, UriKind.Absolute, out var expected)
        && Uri.Compare(presented, expected, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.SafeUnescaped, StringComparison.Ordinal) == 0;

    private static JsonWebToken? Parse(string? value)
    {
        if (value is not { Length: > 0 and <= MaxProofLength })
        {
            return null;
        }

        try
        {
            var token = new JsonWebToken(value);
            return token.IsEncrypted ? null : token;
        }
        catch (ArgumentException)
        {
            // SecurityTokenMalformedException is one: not three base64url parts of JSON.
            return null;
        }
    }

    /// <summary>The header's <c>jwk</c> when it is a public RSA or EC key.</summary>
    private static JsonWebKey? PublicKey(JsonWebToken proof)
    {
        try
        {
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(proof.EncodedHeader));
            if (!header.RootElement.TryGetProperty("jwk", out var member) || member.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var jwk = new JsonWebKey(member.GetRawText());
            return jwk.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve && !jwk.HasPrivateKey && jwk.D is null ? jwk : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The key's RFC 7638 thumbprint and the key to check signatures with, imported once per thumbprint.</summary>
    private (string Thumbprint, SecurityKey Key)? KeyOf(JsonWebKey jwk)
    {
        string thumbprint;
        try
        {
            thumbprint = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
        }
        catch (ArgumentException)
        {
            // A member the thumbprint needs (crv, x, y; n, e) is missing.
            return null;
        }
        if (_keys.TryGetValue(thumbprint, out var cached))
        {
            return (thumbprint, cached);
        }

        if (!JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var key))
        {
            return null;
        }

        if (_keys.Count >= MaxCachedKeys)
        {
            _keys.Clear();
        }

        _keys[thumbprint] = key;
        return (thumbprint, key);
    }

    private static (DpopProof?, DpopFailure?) Fail(string description) => (null, DpopFailure.Invalid(description));
}
