using System.Net;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>
/// Management scopes only on request, for the management API's own audience: a token meant for a partner API can
/// never be replayed against <c>/api/v1</c>.
/// </summary>
public sealed class ManagementScopeTests
{
    private const string ManagementAudience = "http://localhost/api/v1";

    [Fact]
    public async Task A_request_without_scope_gets_the_API_permissions_but_never_a_management_scope()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, _) = await CallerAsync(portal);

        var token = new JsonWebToken(await GetTokenAsync(http, application.ClientId, secret));

        Assert.Equal("data-manager data-manager:sandbox", token.GetPayloadValue<string>("scope"));
        Assert.Equal(["credential-portal-api"], token.Audiences);
        await AssertProblemAsync(await GetAsync(http, "/api/v1/applications", token.EncodedToken),
            HttpStatusCode.Forbidden, "not issued for the management API");
    }

    [Fact]
    public async Task A_management_scope_asked_for_by_name_comes_alone_for_the_management_audience()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, _) = await CallerAsync(portal);

        var token = new JsonWebToken(await GetTokenAsync(http, application.ClientId, secret, scope: "credentials.self"));
        Assert.Equal("credentials.self", token.GetPayloadValue<string>("scope"));
        Assert.Equal([ManagementAudience], token.Audiences);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", token.EncodedToken)).StatusCode);

        var mixed = await AssertErrorAsync(await RequestTokenAsync(http, application.ClientId, secret, scope: "data-manager credentials.self"),
            HttpStatusCode.BadRequest, "invalid_scope");
        Assert.Contains("request them separately", mixed.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_application_with_only_management_scopes_must_name_one()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var automation = await CreateApplicationAsync(portal, withPermissions: false);
        await ChangeAsync(portal, automation.Id, async db =>
            (await db.Applications.SingleAsync(a => a.Id == automation.Id)).IsAdminAutomationClient = true);
        var (secret, _) = await AddSecretAsync(portal, automation);

        var refused = await AssertErrorAsync(await RequestTokenAsync(http, automation.ClientId, secret), HttpStatusCode.BadRequest, "invalid_scope");
        Assert.Contains("'credentials.admin' by name", refused.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        var token = new JsonWebToken(await GetTokenAsync(http, automation.ClientId, secret, scope: "credentials.admin"));
        Assert.Equal([ManagementAudience], token.Audiences);
    }

    [Fact]
    public async Task A_token_of_ours_with_a_management_scope_but_a_partner_audience_is_refused_by_the_management_API()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, _, secretId) = await CallerAsync(portal);
        var keys = await portal.Services.GetRequiredService<SigningKeyCache>().GetAsync(CancellationToken.None);
        var now = portal.Time.GetUtcNow().UtcDateTime;
        string Signed(string audience) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "http://localhost",
            Audience = audience,
            TokenType = "at+jwt",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object> { ["client_id"] = application.ClientId, ["credential_id"] = secretId, ["scope"] = "credentials.self" },
            SigningCredentials = keys.Signing,
        });

        // Signed by us and otherwise valid (/connectivity accepts it), but held by a partner API: no replay at /api/v1.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/connectivity", Signed("credential-portal-api"))).StatusCode);
        await AssertProblemAsync(await GetAsync(http, "/api/v1/applications", Signed("credential-portal-api")),
            HttpStatusCode.Forbidden, "not issued for the management API");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", Signed(ManagementAudience))).StatusCode);
    }

    [Fact]
    public async Task The_management_audience_is_configurable()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:ManagementAudience"] = "urn:example:credential-management",
        });
        using var http = portal.CreateClient();
        var (application, secret, _) = await CallerAsync(portal);

        var token = new JsonWebToken(await GetTokenAsync(http, application.ClientId, secret, scope: "credentials.self"));

        Assert.Equal(["urn:example:credential-management"], token.Audiences);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", token.EncodedToken)).StatusCode);
    }
}
