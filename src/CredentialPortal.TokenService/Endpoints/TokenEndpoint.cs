using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CredentialPortal.Core.Secrets;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Signing;
using CredentialPortal.TokenService.Throttling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Net.Http.Headers;

namespace CredentialPortal.TokenService.Endpoints;

/// <summary>
/// <c>POST /connect/token</c>: the client_credentials grant of RFC 6749 §4.4 with <c>client_secret_basic</c> or
/// <c>client_secret_post</c>, issuing RFC 9068 JWT access tokens. The form is read by hand (bounded), outside model
/// binding and antiforgery, so that every malformed request gets an RFC 6749 §5.2 error rather than a framework page.
/// </summary>
public sealed class TokenEndpoint(
    ClientCache clients,
    SigningKeyStore keys,
    ClientRateLimiter rateLimiter,
    FailedAuthenticationThrottle failedAuthentication,
    AuthenticationFailureAudit failureAudit,
    UsageRecorder usage,
    IOptions<TokenServiceOptions> options,
    TimeProvider time)
{
    public const string Path = "/connect/token";
    public const string ClientCredentialsGrant = "client_credentials";

    private const long MaxBodyBytes = 16 * 1024;
    private const string GenericAuthenticationFailure = "client authentication failed";

    /// <summary>The audit log's actor for failures with a client_id that cannot exist.</summary>
    public const string MalformedClientId = "(malformed client_id)";

    private static readonly Dictionary<string, object> HeaderClaims = new(StringComparer.Ordinal) { ["typ"] = "at+jwt" };
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly TokenServiceOptions _options = options.Value;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, OAuthErrors.InvalidRequest,
                "the token endpoint accepts POST only");
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await BadRequest(context, "the request body must be application/x-www-form-urlencoded");
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await BadRequest(context, "the request body is too large");
            return;
        }

        Dictionary<string, StringValues> form;
        try
        {
            using var reader = new FormReader(request.Body)
            {
                ValueCountLimit = 32,
                KeyLengthLimit = 64,
                ValueLengthLimit = (int)MaxBodyBytes,
            };
            form = await reader.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or DecoderFallbackException)
        {
            await BadRequest(context, "the request body is malformed or too large");
            return;
        }

        // RFC 6749 §3.2: parameters must not be repeated.
        foreach (var (name, values) in form)
        {
            if (values.Count > 1)
            {
                await BadRequest(context, $"the parameter '{Printable(name)}' is repeated");
                return;
            }
        }

        var credentials = ReadClientCredentials(request, form);
        if (credentials.Error is not null)
        {
            await OAuthResponses.WriteErrorAsync(context, credentials.Status, credentials.Error, credentials.Description!,
                basicChallenge: credentials.UsedBasic && credentials.Status == StatusCodes.Status401Unauthorized);
            return;
        }

        var grantType = Field(form, "grant_type");
        if (string.IsNullOrEmpty(grantType))
        {
            await BadRequest(context, "grant_type is required");
            return;
        }

        if (grantType != ClientCredentialsGrant)
        {
            await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, OAuthErrors.UnsupportedGrantType,
                "only the client_credentials grant is supported");
            return;
        }

        // Only a client not cached (or cached too long ago, see ClientCache) needs the database. When it is down the
        // exception reaches the host's outage handler, which answers 503 temporarily_unavailable with Retry-After.
        await AuthenticateAndIssueAsync(context, form, credentials);
    }

    private async Task AuthenticateAndIssueAsync(HttpContext context, Dictionary<string, StringValues> form, ClientCredentials credentials)
    {
        var request = context.Request;
        var now = time.GetUtcNow();
        var (client, secret) = await AuthenticateAsync(context, credentials, now.UtcDateTime);
        if (client is null || secret is null)
        {
            return;
        }

        if (rateLimiter.TryAcquire(client.ApplicationId) is { } wait)
        {
            await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, OAuthErrors.SlowDown,
                "too many token requests for this client; reuse tokens until shortly before they expire", retryAfter: wait);
            return;
        }

        if (client.Scopes.Count == 0)
        {
            await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, OAuthErrors.UnauthorizedClient,
                "the application holds no API permissions");
            return;
        }

        var scope = Field(form, "scope");
        string grantedScope;
        if (string.IsNullOrWhiteSpace(scope))
        {
            grantedScope = client.AllScopes;
        }
        else
        {
            var requested = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
            var refused = requested.FirstOrDefault(s => !client.Scopes.Contains(s));
            if (refused is not null)
            {
                await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, OAuthErrors.InvalidScope,
                    $"the scope '{Printable(refused)}' is not granted to this application");
                return;
            }

            grantedScope = string.Join(' ', requested);
        }

        var keySet = await keys.GetAsync(context.RequestAborted);
        var issuedAt = now.ToUnixTimeSeconds();
        var token = _handler.CreateToken(
            Payload(Issuer(request), client, secret.Id, grantedScope, issuedAt),
            keySet.Signing,
            HeaderClaims);
        usage.Record(client.ApplicationId, secret.Id, now.UtcDateTime);

        await OAuthResponses.WriteJsonAsync(context, writer =>
        {
            writer.WriteString("access_token", token);
            writer.WriteString("token_type", "Bearer");
            writer.WriteNumber("expires_in", _options.LifetimeSeconds);
            writer.WriteString("scope", grantedScope);
        });
    }

    /// <summary>The issuer of tokens and discovery: configured, or the address the request came to.</summary>
    public string Issuer(HttpRequest request) => TokenIssuer.Resolve(_options, request);

    private string Payload(string issuer, CachedClient client, int credentialId, string scope, long issuedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", issuer);
            writer.WriteString("sub", client.ClientId);
            writer.WriteString("client_id", client.ClientId);
            writer.WriteNumber(AccessTokenAuthentication.CredentialIdClaim, credentialId);
            var audiences = Audiences(scope);
            if (audiences.Count == 1)
            {
                writer.WriteString("aud", audiences[0]);
            }
            else
            {
                writer.WriteStartArray("aud");
                audiences.ForEach(writer.WriteStringValue);
                writer.WriteEndArray();
            }

            writer.WriteNumber("iat", issuedAt);
            writer.WriteNumber("nbf", issuedAt);
            writer.WriteNumber("exp", issuedAt + _options.LifetimeSeconds);
            writer.WriteString("jti", Guid.NewGuid().ToString("N"));
            writer.WriteString("scope", scope);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private List<string> Audiences(string scope)
    {
        if (_options.ApiAudiences.Count == 0)
        {
            return [_options.DefaultAudience];
        }

        var audiences = new List<string>(2);
        foreach (var granted in scope.Split(' '))
        {
            var resource = granted.EndsWith(Core.Applications.ApiCatalog.SandboxSuffix, StringComparison.Ordinal)
                ? granted[..^Core.Applications.ApiCatalog.SandboxSuffix.Length]
                : granted;
            var audience = _options.ApiAudiences.GetValueOrDefault(resource, _options.DefaultAudience);
            if (!audiences.Contains(audience))
            {
                audiences.Add(audience);
            }
        }

        return audiences;
    }

    private async Task<(CachedClient? Client, CachedSecret? Secret)> AuthenticateAsync(
        HttpContext context, ClientCredentials credentials, DateTime now)
    {
        var clientId = credentials.ClientId!;
        var address = context.Connection.RemoteIpAddress;
        var addressKey = ClientAddress.PartitionKey(address);
        // Neither an address that keeps failing nor an id that cannot exist gets a lookup: made-up ids that miss the
        // cache would each cost a database round trip.
        var addressBlocked = failedAuthentication.AddressBlockedFor(addressKey);
        var wellFormed = SecretGenerator.IsWellFormedClientId(clientId);
        var client = addressBlocked is null && wellFormed ? await clients.FindAsync(clientId, context.RequestAborted) : null;
        CachedSecret? matched = null;
        if (client is not null)
        {
            var presented = credentials.ClientSecret!;
            var length = Encoding.UTF8.GetByteCount(presented);
            var bytes = ArrayPool<byte>.Shared.Rent(length);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            try
            {
                SHA256.HashData(bytes.AsSpan(0, Encoding.UTF8.GetBytes(presented, bytes)), hash);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes.AsSpan(0, length));
                ArrayPool<byte>.Shared.Return(bytes);
            }

            foreach (var candidate in client.Secrets)
            {
                if (CryptographicOperations.FixedTimeEquals(hash, candidate.Hash))
                {
                    matched = candidate;
                }
            }
        }

        var (reason, description) =
            addressBlocked is not null ? ("blocked_address", GenericAuthenticationFailure)
            : !wellFormed ? ("malformed_client_id", GenericAuthenticationFailure)
            : client is null ? ("unknown_client", GenericAuthenticationFailure)
            : matched is null ? ("wrong_secret", GenericAuthenticationFailure)
            : matched.StatusAt(now) == SecretStatus.Disabled ? ("disabled_secret", "the client secret is disabled")
            : matched.StatusAt(now) == SecretStatus.Expired ? ("expired_secret", "the client secret has expired")
            : !client.ApplicationActive ? ("inactive_application", "the application is inactive")
            : !client.OrganisationActive ? ("inactive_organisation", "the application's organisation is inactive")
            : (null, null);
        if (reason is null)
        {
            // The request log line names the authenticated client (never what it presented).
            context.RequestServices.GetService<Serilog.IDiagnosticContext>()?.Set("ClientId", client!.ClientId);
            return (client, matched);
        }

        // A malformed id is audited under one name: it may be long or hold characters the audit table cannot store.
        failureAudit.Record(wellFormed ? clientId : MalformedClientId, reason, address?.ToString(), client?.ApplicationId, client?.OrganisationId);
        if ((addressBlocked ?? failedAuthentication.RecordFailure(wellFormed ? clientId : null, addressKey)) is { } blocked)
        {
            await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, OAuthErrors.SlowDown,
                "too many failed authentication attempts for this client_id or from this address; retry later", retryAfter: blocked);
        }
        else
        {
            await OAuthResponses.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, OAuthErrors.InvalidClient,
                description!, basicChallenge: credentials.UsedBasic);
        }

        return (null, null);
    }

    private static ClientCredentials ReadClientCredentials(HttpRequest request, Dictionary<string, StringValues> form)
    {
        var bodyId = Field(form, "client_id");
        var bodySecret = Field(form, "client_secret");
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 1)
        {
            return ClientCredentials.Fail(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest, "send one Authorization header");
        }

        if (authorization.Count == 0)
        {
            if (string.IsNullOrEmpty(bodyId) || string.IsNullOrEmpty(bodySecret))
            {
                return ClientCredentials.Fail(StatusCodes.Status401Unauthorized, OAuthErrors.InvalidClient,
                    "client authentication is required: HTTP Basic, or client_id and client_secret in the body");
            }

            return new ClientCredentials(bodyId, bodySecret, UsedBasic: false);
        }

        var header = authorization.ToString();
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return ClientCredentials.Fail(StatusCodes.Status401Unauthorized, OAuthErrors.InvalidClient,
                "only HTTP Basic client authentication is supported in the Authorization header", usedBasic: true);
        }

        if (bodySecret is not null)
        {
            return ClientCredentials.Fail(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest,
                "use one client authentication method: HTTP Basic or client_secret in the body, not both");
        }

        var encoded = header.AsSpan(scheme.Length).Trim();
        var decoded = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, decoded, out var length))
        {
            return ClientCredentials.Fail(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest,
                "the HTTP Basic credentials are not valid base64");
        }

        string pair;
        try
        {
            pair = StrictUtf8.GetString(decoded, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return ClientCredentials.Fail(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest,
                "the HTTP Basic credentials are not valid UTF-8");
        }

        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return ClientCredentials.Fail(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest,
                "the HTTP Basic credentials have no ':' between client_id and client_secret");
        }

        // RFC 6749 §2.3.1: both parts are application/x-www-form-urlencoded before they are joined and encoded.
        var clientId = FormDecode(pair[..colon]);
        var clientSecret = FormDecode(pair[(colon + 1)..]);
        if (clientId.Length == 0 || clientSecret.Length == 0)
        {
            return ClientCredentials.Fail(StatusCodes.Status401Unauthorized, OAuthErrors.InvalidClient,
                "the HTTP Basic credentials lack a client_id or client_secret", usedBasic: true);
        }

        if (bodyId is not null && bodyId != clientId)
        {
            return ClientCredentials.Fail(StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest,
                "client_id in the body differs from the one in the HTTP Basic credentials");
        }

        return new ClientCredentials(clientId, clientSecret, UsedBasic: true);
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static string? Field(Dictionary<string, StringValues> form, string name) =>
        form.TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>
    /// Echoed input is cut short and limited to the characters RFC 6749 §5.2 allows in error_description, so it cannot
    /// break the response or forge a log line.
    /// </summary>
    private static string Printable(string value)
    {
        var shortened = value.Length > 64 ? value[..64] + "..." : value;
        return string.Create(shortened.Length, shortened, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is < ' ' or > '~' or '"' or '\\' ? '?' : source[i];
            }
        });
    }

    private static Task BadRequest(HttpContext context, string description) =>
        OAuthResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, OAuthErrors.InvalidRequest, description);

    private sealed record ClientCredentials(string? ClientId, string? ClientSecret, bool UsedBasic)
    {
        public int Status { get; private init; }
        public string? Error { get; private init; }
        public string? Description { get; private init; }

        public static ClientCredentials Fail(int status, string error, string description, bool usedBasic = false) =>
            new(null, null, usedBasic) { Status = status, Error = error, Description = description };
    }
}
