using CredentialPortal.Core.Hosting;
using CredentialPortal.TokenService.ClientAuthentication;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Endpoints;
using CredentialPortal.TokenService.Issuance;
using CredentialPortal.TokenService.Requests;
using CredentialPortal.TokenService.Signing;
using CredentialPortal.TokenService.Telemetry;
using CredentialPortal.TokenService.Throttling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService;

public static partial class TokenServiceRegistration
{
    /// <summary>
    /// Registers the token service. With <c>TokenService:Enabled=false</c> only the signing keys and the
    /// <see cref="AccessTokenAuthentication"/> scheme are registered (other parts validate our tokens), no endpoint or
    /// background work.
    /// Needs the store (<c>AddCredentialPortalStore</c>) first.
    /// </summary>
    public static IHostApplicationBuilder AddTokenService(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<TokenServiceOptions, TokenServiceOptionsValidator>(TokenServiceOptions.SectionName)
            .PostConfigure(o => o.IsDevelopment = builder.Environment.IsDevelopment());
        builder.Services.AddSingleton(services => SigningKeyRotation.From(services.GetRequiredService<IOptions<TokenServiceOptions>>().Value));
        builder.Services.AddSingleton<SigningKeyFactory>();
        builder.Services.AddSingleton<SigningKeyRepository>();
        builder.Services.AddSingleton<SigningKeyCache>();
        builder.Services.AddAccessTokenAuthentication();
        if (!IsEnabled(builder.Configuration))
        {
            return builder;
        }

        builder.Services.AddSingleton<ClientCache>();
        builder.Services.AddSingleton<TokenServiceMetrics>();
        foreach (var (key, section) in new (string, Func<TokenServiceOptions, RateLimitOptions>)[]
                 { (ClientRateLimiter.TokenRequests, o => o.RateLimit), (ClientRateLimiter.Introspection, o => o.IntrospectionRateLimit) })
        {
            builder.Services.AddKeyedSingleton(key, (services, _) => new ClientRateLimiter(section(services.GetRequiredService<IOptions<TokenServiceOptions>>().Value),
                services.GetRequiredService<TimeProvider>(), services.GetRequiredService<TokenServiceMetrics>(), key));
        }

        builder.Services.AddSingleton<FailedAuthenticationThrottle>();
        builder.Services.AddSingleton<OAuthFormReader>();
        builder.Services.AddSingleton<IClientAuthenticationMethod, ClientSecretBasic>();
        builder.Services.AddSingleton<IClientAuthenticationMethod, ClientSecretPost>();
        builder.Services.AddSingleton<IClientAuthenticationMethod, PrivateKeyJwt>();
        builder.Services.AddSingleton<ClientAssertionValidator>();
        builder.Services.AddSingleton<Federation.IssuerDocuments>();
        builder.Services.AddSingleton<Federation.IssuerKeyCache>();
        builder.Services.AddSingleton<Federation.FederatedAssertionValidator>();
        builder.Services.AddSingleton<AssertionReplayStore>();
        builder.Services.AddSingleton<Core.Applications.ICredentialChangeListener, ClientCacheEviction>();
        builder.Services.AddSingleton<ClientCredentialReader>();
        builder.Services.AddSingleton<ClientAuthenticator>();
        builder.Services.AddSingleton<ScopeResolver>();
        builder.Services.AddSingleton<AccessTokenFactory>();
        builder.Services.AddSingleton<TokenEndpoint>();
        builder.Services.AddSingleton<IntrospectionEndpoint>();
        builder.Services.AddSingleton<DiscoveryEndpoints>();
        builder.Services.AddSingleton<ConnectivityEndpoint>();
        builder.Services.AddSingleton<CredentialChangePoller>();
        builder.Services.AddSingleton<UsageRecorder>();
        builder.Services.AddSingleton<UsageCounter>();
        builder.Services.AddSingleton<AuthenticationFailureAudit>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CredentialChangePoller>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UsageRecorder>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UsageCounter>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuthenticationFailureAudit>());
        builder.Services.AddHostedService<SigningKeyRefresher>();
        builder.Services.AddHostedService<AssertionReplayPruner>();
        return builder;
    }

    /// <summary>Maps the token endpoint, discovery, JWKS and <c>/connectivity</c> (unless the token service is disabled).</summary>
    public static IEndpointRouteBuilder MapTokenService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var configuration = endpoints.ServiceProvider.GetRequiredService<IConfiguration>();
        if (!IsEnabled(configuration))
        {
            return endpoints;
        }

        var services = endpoints.ServiceProvider;
        if (string.IsNullOrWhiteSpace(services.GetRequiredService<IOptions<TokenServiceOptions>>().Value.Issuer))
        {
            // Allowed in Development only (validated above): fine on a laptop, but whoever sends the Host header names the issuer.
            LogIssuerFollowsHost(services.GetRequiredService<ILogger<TokenEndpoint>>());
        }

        var token = services.GetRequiredService<TokenEndpoint>();
        var introspection = services.GetRequiredService<IntrospectionEndpoint>();
        var discovery = services.GetRequiredService<DiscoveryEndpoints>();
        var connectivity = services.GetRequiredService<ConnectivityEndpoint>();

        // The portal's fallback policy (a signed-in MFA session) must not apply: discovery is public and the token
        // endpoint checks client credentials itself.
        var group = endpoints.MapGroup("").AllowAnonymous();

        // Any method, so that a GET gets an OAuth error (405) instead of an empty routing 405. Partners post forms from
        // their own servers: no cookies, so no antiforgery.
        group.Map(TokenEndpoint.Path, token.HandleAsync).DisableAntiforgery();
        group.Map(IntrospectionEndpoint.Path, introspection.HandleAsync).DisableAntiforgery();
        group.MapGet(DiscoveryEndpoints.OpenIdConfigurationPath, discovery.MetadataAsync);
        group.MapGet(DiscoveryEndpoints.AuthorizationServerPath, discovery.MetadataAsync);
        group.MapGet(DiscoveryEndpoints.JwksPath, discovery.JwksAsync);
        // Bearer tokens only: the scheme answers 401 itself, and a portal cookie plays no part.
        endpoints.MapGet(ConnectivityEndpoint.Path, connectivity.HandleAsync).RequireAuthorization(AccessTokenAuthentication.Policy);
        return endpoints;
    }

    private static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetValue($"{TokenServiceOptions.SectionName}:{nameof(TokenServiceOptions.Enabled)}", true);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TokenService:Issuer is not set: each token's issuer, and the audience that client assertions must name, follow the Host header of the request. Set TokenService:Issuer to the address partners use.")]
    private static partial void LogIssuerFollowsHost(ILogger logger);
}
