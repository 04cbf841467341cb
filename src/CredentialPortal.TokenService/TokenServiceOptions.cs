using System.ComponentModel.DataAnnotations;
using CredentialPortal.TokenService.Clients;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService;

/// <summary>Configuration section <c>TokenService</c>.</summary>
public sealed class TokenServiceOptions : IValidatableObject
{
    public const string SectionName = "TokenService";

    /// <summary>Whether this host serves the token service at all (false for a portal-only instance).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The <c>iss</c> of issued tokens and the issuer in discovery, e.g. <c>https://credentials.example.org</c>.
    /// Required outside Development. In Development, when empty, it is the address of each request (scheme, host,
    /// path base).
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> of tokens whose scopes map to no entry of <see cref="ApiAudiences"/>.</summary>
    [Required, MinLength(1)]
    public string DefaultAudience { get; set; } = "credential-portal-api";

    /// <summary>
    /// The <c>aud</c> of tokens with a management scope (<c>credentials.self</c>, <c>credentials.admin</c>), and the only
    /// audience the management API accepts, so that a token sent to a partner API cannot be replayed against it.
    /// Default: the issuer followed by <c>/api/v1</c>.
    /// </summary>
    public string? ManagementAudience { get; set; }

    /// <summary>
    /// Audience per API resource (scope without <c>:sandbox</c>), e.g. <c>search-match: https://smc.example.org</c>.
    /// A token gets every audience its scopes map to.
    /// </summary>
    public Dictionary<string, string> ApiAudiences { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="audience"/> is a partner API's: the default audience or one of <see cref="ApiAudiences"/>.</summary>
    public bool IsPartnerApiAudience(string audience) => audience == DefaultAudience || ApiAudiences.ContainsValue(audience);

    /// <summary>Access token lifetime in seconds (<c>expires_in</c>).</summary>
    [Range(60, 86_400)]
    public int LifetimeSeconds { get; set; } = 3600;

    /// <summary><c>RS256</c> (RSA 2048) or <c>ES256</c> (ECDSA P-256).</summary>
    [Required, RegularExpression("^(RS256|ES256)$")]
    public string Algorithm { get; set; } = "RS256";

    /// <summary>How long a signing key signs before the next one takes over.</summary>
    [Range(1, 3650)]
    public int KeyRotationDays { get; set; } = 90;

    /// <summary>How many days before it starts signing a new key is published in JWKS, for relying parties' caches.</summary>
    [Range(0, 365)]
    public int KeyPublishAheadDays { get; set; } = 7;

    /// <summary>How often each instance rereads the signing keys (a rotation by another instance shows up this late).</summary>
    [Range(1, 86_400)]
    public int KeyRefreshSeconds { get; set; } = 300;

    /// <summary>How often each instance polls the credential change log (cache invalidation latency).</summary>
    [Range(50, 5_000)]
    public int ChangePollMilliseconds { get; set; } = 250;

    /// <summary>How long an unknown client_id is remembered as unknown (new applications are announced by the change log).</summary>
    [Range(0, 3600)]
    public int UnknownClientCacheSeconds { get; set; } = 60;

    /// <summary>Upper bound on how long a cached client is trusted without a change notice.</summary>
    [Range(1, 86_400)]
    public int ClientCacheMaxAgeSeconds { get; set; } = 600;

    /// <summary>
    /// Stale-if-error: how much longer than <see cref="ClientCacheMaxAgeSeconds"/> a cached client keeps getting tokens
    /// while the database is unreachable; 0 switches it off. This is how long token issuance survives an outage for
    /// clients that were cached when it began; changes the change log announced before the outage still apply.
    /// </summary>
    [Range(0, 86_400)]
    public int ClientCacheStaleIfErrorSeconds { get; set; } = 1800;

    /// <summary>How often "last used" times are written to the database.</summary>
    [Range(1, 3600)]
    public int LastUsedFlushSeconds { get; set; } = 5;

    /// <summary>Largest form body <c>/connect/token</c> and <c>/connect/introspect</c> read, in bytes.</summary>
    [Range(1024, 1_048_576)]
    public int MaxRequestBytes { get; set; } = 16 * 1024;

    /// <summary>Most form parameters those endpoints read.</summary>
    [Range(4, 1024)]
    public int MaxRequestParameters { get; set; } = 32;

    [ValidateObjectMembers]
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Introspection calls per resource server, successful ones included.</summary>
    [ValidateObjectMembers]
    public RateLimitOptions IntrospectionRateLimit { get; set; } = RateLimitOptions.ForIntrospection();

    [ValidateObjectMembers]
    public FailedAuthenticationOptions FailedAuthentication { get; set; } = new();

    [ValidateObjectMembers]
    public ClientAssertionOptions ClientAssertion { get; set; } = new();

    [ValidateObjectMembers]
    public Dpop.DpopOptions Dpop { get; set; } = new();

    /// <summary>
    /// Whether the host runs in Development, set at registration from the environment, never from configuration (the
    /// binder sets public properties only): the generated validator has no services to ask.
    /// </summary>
    internal bool IsDevelopment { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Derived from the request, the issuer would follow whatever Host header a client sends.
        if (!IsDevelopment && string.IsNullOrWhiteSpace(Issuer))
        {
            yield return new ValidationResult("TokenService:Issuer is required outside Development: set it to the public address partners use, e.g. https://credentials.example.org.");
        }
        else if (!string.IsNullOrWhiteSpace(Issuer)
                 && (!Uri.TryCreate(Issuer, UriKind.Absolute, out var issuer) || issuer.Scheme is not ("http" or "https") || issuer.Query.Length > 0 || issuer.Fragment.Length > 0))
        {
            // RFC 8414 §2: the issuer is an https URL without query or fragment (http is allowed for a local trial).
            yield return new ValidationResult(
                $"TokenService:Issuer '{Issuer}' is not an http or https address without query or fragment: set it to the public address partners use, e.g. https://credentials.example.org.");
        }

        // A cached client is trusted until this age when its change notice was missed (the poller was cut off from the
        // database); past the change log's retention the notice itself may be gone.
        if (ClientCacheMaxAgeSeconds > CredentialChangePoller.Retention.TotalSeconds)
        {
            yield return new ValidationResult(
                $"TokenService:ClientCacheMaxAgeSeconds may not exceed the credential change log's retention ({CredentialChangePoller.Retention.TotalSeconds:0} seconds).");
        }
    }
}

[OptionsValidator]
internal sealed partial class TokenServiceOptionsValidator : IValidateOptions<TokenServiceOptions>;

/// <summary>Section <c>TokenService:ClientAssertion</c>: <c>private_key_jwt</c> client authentication (RFC 7523).</summary>
public sealed class ClientAssertionOptions
{
    /// <summary>
    /// Signature algorithms accepted on client assertions, comma-separated (advertised as
    /// <c>token_endpoint_auth_signing_alg_values_supported</c>): asymmetric ones only, so a public key can never serve
    /// as an HMAC secret.
    /// </summary>
    [Required, RegularExpression("^((RS|PS|ES)(256|384|512))(,(RS|PS|ES)(256|384|512))*$")]
    public string Algorithms { get; set; } = "RS256,PS256,ES256,ES384";

    public IReadOnlyList<string> AlgorithmList => Algorithms.Split(',');

    /// <summary>
    /// How far ahead an assertion's <c>exp</c> may lie. One hour by default: authlib's <c>PrivateKeyJWT</c> signs
    /// assertions that live 3,600 s and MSAL.NET's 600 s. Each accepted <c>jti</c> is kept until its assertion expires.
    /// </summary>
    [Range(10, 86_400)]
    public int MaxLifetimeSeconds { get; set; } = 3600;

    /// <summary>
    /// Whether <c>aud</c> may be the token endpoint URL as well as the issuer identifier. On by default because MSAL and
    /// authlib send the token endpoint URL; off accepts the issuer only, as RFC 7523bis recommends. Either way
    /// <c>aud</c> must be one string.
    /// </summary>
    public bool AcceptTokenEndpointAudience { get; set; } = true;

    /// <summary>Tolerated clock difference for <c>exp</c>, <c>nbf</c> and <c>iat</c>.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>Largest <c>client_assertion</c> read, in characters.</summary>
    [Range(512, 65_536)]
    public int MaxAssertionLength { get; set; } = 8192;
}

/// <summary>Sections <c>TokenService:RateLimit</c> and <c>:IntrospectionRateLimit</c>: a token bucket per authenticated client.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Section <c>TokenService:IntrospectionRateLimit</c>'s defaults: a resource server may ask about every request it serves.</summary>
    public static RateLimitOptions ForIntrospection() => new() { PermitsPerSecond = 100, Burst = 200 };

    /// <summary>Sustained requests per second per client; 0 switches rate limiting off (benchmarks).</summary>
    [Range(0, 1_000_000)]
    public double PermitsPerSecond { get; set; } = 20;

    /// <summary>Requests a client may make at once after being idle.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 40;
}

/// <summary>Section <c>TokenService:FailedAuthentication</c>: throttling of failed client authentication per client_id and per address.</summary>
public sealed class FailedAuthenticationOptions
{
    /// <summary>Failures of one client_id within <see cref="WindowSeconds"/> that start a block; 0 switches it off.</summary>
    [Range(0, 1_000_000)]
    public int MaxFailures { get; set; } = 10;

    /// <summary>
    /// Failures from one client address (IPv6: one /64) within <see cref="WindowSeconds"/> that start a block of that
    /// address; 0 switches it off. A blocked address is refused before the client is looked up, so made-up client_ids
    /// cost no database round trips; behind a reverse proxy configure <c>Proxy:KnownProxies</c>, or every client shares
    /// the proxy's address.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxFailuresPerAddress { get; set; } = 100;

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>
    /// How long failed attempts for a blocked client_id, and every attempt from a blocked address, are answered with 429.
    /// For a blocked client_id a request whose secret is right still succeeds: client_ids are not secret, so a hard
    /// lockout would let anyone deny a partner service.
    /// </summary>
    [Range(1, 86_400)]
    public int BlockSeconds { get; set; } = 60;

    /// <summary>How often aggregated audit events for failures are written (one row per client_id and reason).</summary>
    [Range(1, 3600)]
    public int AuditFlushSeconds { get; set; } = 60;
}
