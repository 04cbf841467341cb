using System.Net;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Api;

/// <summary>
/// A token dies with its credential: <c>/api/v1</c> and <c>/connectivity</c> refuse it once the secret that obtained it
/// is disabled, deleted or expired, or its application or organisation is inactive — so a leaked secret of a
/// self-rotating application cannot outlive the rotation meant to cut it off by minting a new one with its token.
/// </summary>
public sealed class TokenRevocationTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_token_stops_working_when_the_secret_that_obtained_it_is_disabled_or_deleted(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var http = portal.CreateClient();
        var (application, leaked, leakedId) = await CallerAsync(portal);
        var leakedToken = await GetTokenAsync(http, application.ClientId, leaked, scope: "credentials.self");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/connectivity", leakedToken)).StatusCode);

        // The owner rotates: a new secret, then the leaked one disabled (with the new secret's token).
        using var created = await CreateAsync(http, application.ClientId, leakedToken, "Rotated", Date(portal, 90));
        var fresh = (await OkJsonAsync(created, HttpStatusCode.Created)).GetProperty("value").GetString()!;
        var freshToken = await GetTokenAsync(http, application.ClientId, fresh, scope: "credentials.self");
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(http, application.ClientId, leakedId, "disable", freshToken)).StatusCode);

        // At once on this instance: the leaked token can neither mint another secret nor call anything else.
        await AssertProblemAsync(await CreateAsync(http, application.ClientId, leakedToken, "Survivor", Date(portal, 90)),
            HttpStatusCode.Unauthorized, "invalid");
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/connectivity", leakedToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/connectivity", freshToken)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await ActAsync(http, application.ClientId, leakedId, "delete", freshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, $"/api/v1/applications/{application.ClientId}", leakedToken)).StatusCode);
    }

    [Fact]
    public async Task A_token_stops_working_on_another_instance_within_one_poll_when_its_organisation_is_deactivated()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, application.ClientId, secret, scope: "credentials.self");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", token)).StatusCode);

        // Changed behind this instance's back, as another instance would: only the change log tells it.
        await ChangeAsync(portal, application.Id, async db =>
        {
            var organisationId = await db.Applications.Where(a => a.Id == application.Id).Select(a => a.OrganisationId).SingleAsync();
            (await db.Organisations.SingleAsync(o => o.Id == organisationId)).IsActive = false;
        });
        await portal.RunNextPassAsync<CredentialChangePoller>();

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/api/v1/applications", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/connectivity", token)).StatusCode);
    }

    [Fact]
    public async Task A_token_stops_working_when_its_secret_expires_before_the_token_does()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var application = await CreateApplicationAsync(portal, selfRotation: true);
        var (secret, _) = await AddSecretAsync(portal, application, expiresIn: TimeSpan.FromMinutes(10));
        var token = await GetTokenAsync(http, application.ClientId, secret);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/connectivity", token)).StatusCode);

        portal.Time.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/connectivity", token)).StatusCode);
    }
}
