using System.Net;
using System.Net.Http.Headers;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Throttling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Federation;

/// <summary>
/// Issue 32 item 6 with a real external issuer: node-oidc-provider, run as the partner's own OAuth server, issues a JWT
/// access token for its client (client_credentials, our issuer identifier as the resource), and that token, presented
/// as the client assertion, gets a token from us when a federated identity names its issuer and subject.
/// </summary>
public sealed class NodeOidcProviderTests : IAsyncLifetime
{
    // Our issuer identifier in the test host (PortalFactory's TokenService:Issuer): the audience the partner's tokens carry.
    private const string OurIssuer = "http://localhost";
    private const string PartnerClient = "billing-exporter";

    private NodeOidcProvider _partner = null!;
    private PortalFactory _portal = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _partner = await NodeOidcProvider.StartAsync(PartnerClient, OurIssuer);
        // node-oidc-provider stamps its tokens with the real time; our clock starts there too.
        _portal = await PortalFactory.StartAsync(settings: TestIssuer.TrustSettings(_partner.Issuer), time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        _http = _portal.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _portal.DisposeAsync();
        await _partner.DisposeAsync();
    }

    [Fact]
    public async Task Its_JWT_access_token_gets_a_token_naming_the_identity_and_connectivity_says_federated()
    {
        var app = await CreateApplicationAsync(_portal);
        var identity = await TestIssuer.AddFederatedIdentityAsync(_portal, app, _partner.Issuer, PartnerClient);
        var external = await _partner.AccessTokenAsync();

        // What the partner's server issues: its client as sub, us as aud, an RS256 at+jwt from its JWKS.
        var presented = new JsonWebToken(external);
        Assert.Equal((_partner.Issuer, PartnerClient, "at+jwt", "RS256"), (presented.Issuer, presented.Subject, presented.Typ, presented.Alg));
        Assert.Equal(OurIssuer, Assert.Single(presented.Audiences));

        _portal.Time.SetUtcNow(DateTimeOffset.UtcNow);
        using var response = await RequestWithAssertionAsync(_http, external, clientId: app.ClientId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var accessToken = (await JsonAsync(response)).GetProperty("access_token").GetString()!;
        Assert.Equal(identity.Id, new JsonWebToken(accessToken).GetPayloadValue<int>("credential_id"));
        using var connectivity = new HttpRequestMessage(HttpMethod.Get, "/connectivity");
        connectivity.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var answer = await _http.SendAsync(connectivity);
        var json = await JsonAsync(answer);
        Assert.Equal((app.ClientId, "federated"), (json.GetProperty("client_id").GetString(), json.GetProperty("credential_kind").GetString()));
    }

    [Fact]
    public async Task Its_token_is_refused_for_an_identity_with_another_subject_without_revealing_it()
    {
        var app = await CreateApplicationAsync(_portal);
        await TestIssuer.AddFederatedIdentityAsync(_portal, app, _partner.Issuer, "billing-importer");
        var external = await _partner.AccessTokenAsync();

        _portal.Time.SetUtcNow(DateTimeOffset.UtcNow);
        using var response = await RequestWithAssertionAsync(_http, external, clientId: app.ClientId);

        var description = (await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client")).GetProperty("error_description").GetString()!;
        Assert.StartsWith("no federated identity of this application accepts this token", description, StringComparison.Ordinal);
        Assert.DoesNotContain("billing-importer", description, StringComparison.Ordinal);
        await _portal.Services.GetRequiredService<AuthenticationFailureAudit>().FlushAsync(CancellationToken.None);
        await using var db = _portal.CreateDbContext();
        var reasons = await db.AuditEvents.Where(e => e.ApplicationId == app.Id && e.EventType == "token.authentication-failed")
            .Select(e => e.Details).ToListAsync();
        Assert.Contains(reasons, d => d != null && d.Contains("wrong_subject", StringComparison.Ordinal));
    }
}
