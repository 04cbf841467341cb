using CredentialPortal.Testing;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>A partner's view: MSAL.NET discovers the token endpoint from our metadata and gets a token.</summary>
public sealed class OAuthClientLibraryTests
{
    [Fact]
    public async Task MSAL_gets_a_token_through_discovery_that_validates_against_the_JWKS()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["TokenService:Issuer"] = "https://localhost" });
        using var http = portal.CreateClient(new() { BaseAddress = new Uri("https://localhost") });
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);

        // MSAL insists on an https authority and an issuer that matches it; the in-memory test server answers any
        // scheme, so the whole exchange (discovery, token, JWKS) runs on https://localhost.
        var msal = ConfidentialClientApplicationBuilder.Create(app.ClientId)
            .WithOidcAuthority("https://localhost/")
            .WithClientSecret(secret)
            .WithHttpClientFactory(new TestServerHttpClientFactory(portal))
            .Build();
        var result = await msal.AcquireTokenForClient(["data-manager"]).ExecuteAsync();

        Assert.Equal("Bearer", result.TokenType);
        Assert.Equal(["data-manager"], result.Scopes);
        var validation = await ValidateAgainstJwksAsync(http, result.AccessToken, issuer: "https://localhost");
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal(app.ClientId, new JsonWebToken(result.AccessToken).GetPayloadValue<string>("client_id"));
    }

    private sealed class TestServerHttpClientFactory(PortalFactory portal) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = portal.CreateClient(new() { BaseAddress = new Uri("https://localhost") });

        public HttpClient GetHttpClient() => _client;
    }
}
