using System.Security.Claims;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Dpop;
using CredentialPortal.TokenService.Signing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService;

/// <summary>
/// The bearer scheme for access tokens this service issued (<c>/connectivity</c>, the management API): JwtBearer with
/// the signature checked against the keys <see cref="SigningKeyCache"/> publishes, <c>typ: at+jwt</c>, RS256/ES256
/// only, our issuer and audiences, and the lifetime on the injected clock. DPoP-bound tokens come as
/// <c>Authorization: DPoP</c> with a proof, which <see cref="DpopBinding"/> checks.
/// </summary>
public static class AccessTokenAuthentication
{
    public const string Scheme = "AccessToken";

    /// <summary>Policy of endpoints that want any valid access token of ours, and nothing else (no portal cookie).</summary>
    public const string Policy = "AccessToken";

    public const string ClientIdClaim = "client_id";
    public const string ScopeClaim = "scope";

    /// <summary>
    /// Private claim: the id of the client secret that obtained the token, so that the token stops working at
    /// <c>/api/v1</c> and <c>/connectivity</c> when that secret does.
    /// </summary>
    public const string CredentialIdClaim = "credential_id";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>The token's scopes (the space-separated <c>scope</c> claim).</summary>
    public static IReadOnlyList<string> ScopesOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(ScopeClaim)?.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
    }

    internal static IServiceCollection AddAccessTokenAuthentication(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<DpopNonces>();
        services.AddSingleton<DpopReplayCache>();
        services.AddSingleton<DpopProofValidator>();
        services.AddSingleton<DpopBinding>();
        services.AddSingleton<SigningKeyConfiguration>();
        services.AddAuthentication().AddJwtBearer(Scheme, bearer =>
        {
            bearer.MapInboundClaims = false;
            bearer.Events = new JwtBearerEvents
            {
                // Answers to bearer calls describe the caller or carry secrets: never cached, the 401s included.
                OnMessageReceived = context =>
                {
                    context.Response.Headers.CacheControl = "no-store";
                    context.Token ??= DpopBinding.TokenFromDpopScheme(context.HttpContext);
                    return Task.CompletedTask;
                },
                OnTokenValidated = async context =>
                {
                    var http = context.HttpContext;
                    if (await RefusalAsync(context.Principal!, http.RequestServices, http.RequestAborted) is { } refusal)
                    {
                        context.Fail(refusal);
                    }
                    else if (await http.RequestServices.GetRequiredService<DpopBinding>().CheckAsync(
                                 http, context.Principal!, ((JsonWebToken)context.SecurityToken).EncodedToken) is { } dpopRefusal)
                    {
                        context.Fail(dpopRefusal.Description);
                    }
                },
                OnChallenge = ChallengeAsync,
            };
        });
        services.AddOptions<JwtBearerOptions>(Scheme)
            .Configure<IOptions<TokenServiceOptions>, SigningKeyConfiguration, TimeProvider, IHttpContextAccessor>(
                (bearer, options, keys, time, http) =>
                {
                    var service = options.Value;
                    bearer.ConfigurationManager = keys;
                    bearer.TimeProvider = time;
                    bearer.TokenValidationParameters = new TokenValidationParameters
                    {
                        ValidTypes = ["at+jwt"],
                        ValidAlgorithms = [SigningKeyFactory.RS256, SigningKeyFactory.ES256],
                        RequireSignedTokens = true,
                        // Without a configured issuer, ours is the address each request came to (as the token endpoint does).
                        IssuerValidator = (issuer, _, _) =>
                            http.HttpContext is { } context && issuer == TokenIssuer.Resolve(service, context.Request)
                                ? issuer
                                : throw new SecurityTokenInvalidIssuerException("The token was issued by another issuer."),
                        // Any audience of ours; the management API also insists on its own (ManagementApiAccess).
                        AudienceValidator = (audiences, _, _) =>
                            http.HttpContext is { } context && audiences.Any(a => service.IsPartnerApiAudience(a)
                                || a == TokenIssuer.ManagementAudience(service, context.Request)),
                        // On the injected clock (IdentityModel's own check reads the system clock); exp is required.
                        LifetimeValidator = (notBefore, expires, _, _) =>
                        {
                            var now = time.GetUtcNow().UtcDateTime;
                            return expires is { } expiry && now < expiry + ClockSkew && !(notBefore > now + ClockSkew);
                        },
                        NameClaimType = ClientIdClaim,
                    };
                });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }

    /// <summary>
    /// A token dies with what obtained it: refused once its credential is disabled, deleted or expired, or its
    /// application or organisation is inactive; a bearer token also once its application requires DPoP. Read from the client cache, which every instance keeps in step with the
    /// change log within a second, so a valid call costs no database round trip.
    /// </summary>
    public static async Task<string?> RefusalAsync(ClaimsPrincipal principal, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(services);
        if (principal.FindFirst(ClientIdClaim)?.Value is not { Length: > 0 } clientId)
        {
            return "The access token has no client_id.";
        }

        if (!int.TryParse(principal.FindFirst(CredentialIdClaim)?.Value, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var credentialId))
        {
            return "The access token names no credential.";
        }

        var client = await services.GetRequiredService<ClientCache>().FindAsync(clientId, cancellationToken);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        return client is null || !client.ApplicationActive || !client.OrganisationActive
            ? "The application of the access token is unknown or inactive."
            : client.Credential(credentialId) is not { } credential || credential.StatusAt(now) is not CredentialStatus.Active
                || !client.AllowedKinds.Allows(credential.Kind)
                ? "The credential that obtained the access token is disabled, deleted or expired."
                : client.RequireDpop && DpopBinding.BoundThumbprint(principal) is null
                    ? "The application requires DPoP: its bearer tokens are refused."
                    : null;
    }

    /// <summary>
    /// RFC 6750 §3.1 and RFC 9449 §7.1: bare Bearer and DPoP challenges without a token; <c>invalid_token</c> (or a DPoP
    /// error) in the scheme the token came with; the body is problem details.
    /// </summary>
    private static Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var binding = context.HttpContext.RequestServices.GetRequiredService<DpopBinding>();
        string detail;
        if (context.AuthenticateFailure is null)
        {
            detail = "A bearer access token from POST /connect/token is required (Authorization: Bearer <token>), " +
                "or a DPoP-bound one with its proof (Authorization: DPoP <token> and a DPoP header).";
            context.Response.Headers.WWWAuthenticate = new(["Bearer", binding.Challenge(context.HttpContext, tokenRefused: false, detail)]);
        }
        else
        {
            detail = DpopBinding.RefusalOf(context.HttpContext)?.Description ?? "The access token is invalid, expired or not issued by this service.";
            context.Response.Headers.WWWAuthenticate = binding.Challenge(context.HttpContext, tokenRefused: true, detail)
                ?? $"Bearer error=\"invalid_token\", error_description=\"{detail}\"";
        }

        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail)
            .ExecuteAsync(context.HttpContext);
    }
}
