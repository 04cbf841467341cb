using System.Security.Cryptography;
using CredentialPortal.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary>
/// A partner's view with a real client library: MSAL.NET discovers the token endpoint and authenticates with
/// private_key_jwt, from a certificate (<c>WithCertificate</c>) and from a JWT the partner signs itself with an EC key
/// (<c>WithClientAssertion</c>). MSAL stamps assertions with the real clock, so the portal's clock starts at real time.
/// </summary>
public sealed class KeyClientLibraryTests
{
    [Fact]
    public async Task MSAL_WithCertificate_gets_a_token_with_a_self_signed_certificate_whose_public_part_was_added()
    {
        // MSAL.NET's certificate assertions live 10 minutes: an operator serving MSAL partners allows that.
        await using var portal = await StartAtRealTimeAsync(maxAssertionLifetimeSeconds: 600);
        var app = await CreateApplicationAsync(portal);
        using var certificate = SelfSignedCertificate(portal.Time.GetUtcNow());
        var key = await AddKeyAsync(portal, app, certificate.ExportCertificatePem());

        var msal = ConfidentialClientApplicationBuilder.Create(app.ClientId)
            .WithOidcAuthority("https://localhost/")
            .WithCertificate(certificate)
            .WithHttpClientFactory(new TestServerHttpClientFactory(portal))
            .Build();
        var result = await msal.AcquireTokenForClient(["data-manager"]).ExecuteAsync();

        var token = new JsonWebToken(result.AccessToken);
        Assert.Equal(app.ClientId, token.GetPayloadValue<string>("client_id"));
        Assert.Equal(key.Id, token.GetPayloadValue<int>("credential_id"));
    }

    [Fact]
    public async Task MSAL_WithClientAssertion_gets_a_token_with_a_JWT_signed_by_an_EC_key()
    {
        await using var portal = await StartAtRealTimeAsync();
        var app = await CreateApplicationAsync(portal);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = await AddKeyAsync(portal, app, PublicPem(ec));

        var msal = ConfidentialClientApplicationBuilder.Create(app.ClientId)
            .WithOidcAuthority("https://localhost/")
            .WithClientAssertion(options => Task.FromResult(Assertion(portal, options.ClientID, Signing(ec, key.Hint),
                audience: options.TokenEndpoint)))
            .WithHttpClientFactory(new TestServerHttpClientFactory(portal))
            .Build();
        var result = await msal.AcquireTokenForClient(["data-manager"]).ExecuteAsync();

        var token = new JsonWebToken(result.AccessToken);
        Assert.Equal(app.ClientId, token.GetPayloadValue<string>("client_id"));
        Assert.Equal(key.Id, token.GetPayloadValue<int>("credential_id"));
    }

    private static Task<PortalFactory> StartAtRealTimeAsync(int maxAssertionLifetimeSeconds = 300) => PortalFactory.StartAsync(
        settings: new Dictionary<string, string?>
        {
            ["TokenService:Issuer"] = "https://localhost",
            ["TokenService:ClientAssertion:MaxLifetimeSeconds"] = maxAssertionLifetimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        time: new FakeTimeProvider(DateTimeOffset.UtcNow));

    private sealed class TestServerHttpClientFactory(PortalFactory portal) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = portal.CreateClient(new() { BaseAddress = new Uri("https://localhost") });

        public HttpClient GetHttpClient() => _client;
    }
}
