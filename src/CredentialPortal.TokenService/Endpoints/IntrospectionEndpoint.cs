using System.Security.Claims;
using CredentialPortal.TokenService.ClientAuthentication;
using CredentialPortal.TokenService.Requests;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Dpop;
using CredentialPortal.TokenService.Throttling;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CredentialPortal.TokenService.Endpoints;

/// <summary>
/// <c>POST /connect/introspect</c> (RFC 7662): a partner API asks whether an access token is active right now. The caller
/// authenticates like a client at the token endpoint and must be an application an administrator marked as a resource
/// server. A token is active when the <see cref="AccessTokenAuthentication"/> scheme would accept it: our signature,
/// issuer, audience and lifetime, and a credential, application and organisation that are still active — so a disabled
/// or deleted secret's tokens are inactive at once, read from the client cache. A resource server learns only about
/// tokens meant for it: one of whose audiences it serves (<see cref="CachedClient.IntrospectionAudiences"/>, by default
/// the partner APIs'), never a management-API token; and its calls, successful ones too, are rate-limited. For a
/// DPoP-bound token the answer says <c>token_type: DPoP</c> and carries <c>cnf.jkt</c> (RFC 9449 §6.2): the resource
/// server then checks the request's proof against that key.
/// </summary>
public sealed class IntrospectionEndpoint(
    ClientCredentialReader requests,
    ClientAuthenticator authenticator,
    [FromKeyedServices(ClientRateLimiter.Introspection)] ClientRateLimiter rateLimiter,
    IOptions<TokenServiceOptions> options,
    IOptionsMonitor<JwtBearerOptions> bearerOptions)
{
    public const string Path = "/connect/introspect";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A database outage reaches the host's outage handler, which answers 503 temporarily_unavailable.
        if (await IntrospectAsync(context) is { } error)
        {
            await OAuthResponses.WriteErrorAsync(context, error);
        }
    }

    private async Task<OAuthError?> IntrospectAsync(HttpContext context)
    {
        var (form, presented, readError) = await requests.ReadAsync(context);
        if (form is null || presented is null)
        {
            return readError;
        }

        var (caller, authenticationError) = await authenticator.AuthenticateAsync(context, presented);
        if (caller is null)
        {
            return authenticationError;
        }

        if (!caller.Client.IsResourceServer)
        {
            return new OAuthError(StatusCodes.Status403Forbidden, OAuthErrors.UnauthorizedClient,
                "this application may not introspect tokens: an administrator must mark it as a resource server");
        }

        if (rateLimiter.TryAcquire(caller.Client.ApplicationId) is { } wait)
        {
            return OAuthError.SlowDown("too many introspection requests for this client; cache answers until the token's exp", wait);
        }

        if (form["token"] is not { Length: > 0 } token)
        {
            return OAuthError.InvalidRequest("token is required");
        }

        var (active, principal) = await ValidateAsync(context, token) is { } valid && Serves(caller.Client, valid.Token, context.Request)
            ? valid : default;
        var boundThumbprint = principal is null ? null : DpopBinding.BoundThumbprint(principal);
        await OAuthResponses.WriteJsonAsync(context, writer =>
        {
            // RFC 7662 §2.2: an inactive token gets nothing but "active": false, whatever the reason.
            writer.WriteBoolean("active", active is not null);
            if (active is null)
            {
                return;
            }

            writer.WriteString("client_id", active.GetPayloadValue<string>(AccessTokenAuthentication.ClientIdClaim));
            writer.WriteString("scope", active.GetPayloadValue<string>(AccessTokenAuthentication.ScopeClaim));
            writer.WriteString("token_type", boundThumbprint is null ? "Bearer" : DpopBinding.Scheme);
            writer.WriteNumber("exp", active.GetPayloadValue<long>("exp"));
            writer.WriteNumber("iat", active.GetPayloadValue<long>("iat"));
            writer.WriteNumber("nbf", active.GetPayloadValue<long>("nbf"));
            writer.WriteString("sub", active.Subject);
            OAuthResponses.WriteStringOrArray(writer, "aud", [.. active.Audiences]);

            writer.WriteString("iss", active.Issuer);
            writer.WriteString("jti", active.Id);
            if (boundThumbprint is not null)
            {
                writer.WriteStartObject(DpopBinding.ConfirmationClaim);
                writer.WriteString(DpopBinding.ThumbprintMember, boundThumbprint);
                writer.WriteEndObject();
            }
        });
        return null;
    }

    /// <summary>
    /// Whether <paramref name="resourceServer"/> may learn about the token: it names one of the audiences the resource
    /// server serves and is not a management-API token. Otherwise the answer is inactive, as for a token it never saw
    /// (a resource server that could introspect any token could test tokens stolen from other APIs).
    /// </summary>
    private bool Serves(CachedClient resourceServer, JsonWebToken token, HttpRequest request)
    {
        var service = options.Value;
        var management = TokenIssuer.ManagementAudience(service, request);
        if (token.Audiences.Contains(management, StringComparer.Ordinal))
        {
            return false;
        }

        return resourceServer.IntrospectionAudiences.Count > 0
            ? token.Audiences.Any(a => resourceServer.IntrospectionAudiences.Contains(a, StringComparer.Ordinal))
            : token.Audiences.Any(service.IsPartnerApiAudience);
    }

    /// <summary>The token when the bearer scheme would accept it now; otherwise null (expired, forged, unknown, revoked).</summary>
    private async Task<(JsonWebToken Token, ClaimsPrincipal Principal)?> ValidateAsync(HttpContext context, string token)
    {
        var bearer = bearerOptions.Get(AccessTokenAuthentication.Scheme);
        var configuration = await bearer.ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
        var parameters = bearer.TokenValidationParameters.Clone();
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return null;
        }

        var principal = new ClaimsPrincipal(result.ClaimsIdentity);
        var refusal = await AccessTokenAuthentication.RefusalAsync(principal, context.RequestServices, context.RequestAborted);
        return refusal is null && result.SecurityToken is JsonWebToken valid ? (valid, principal) : null;
    }
}
