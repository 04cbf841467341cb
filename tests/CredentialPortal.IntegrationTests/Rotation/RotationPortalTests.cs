using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Credentials;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Rotation;

/// <summary>The "Rotate" action of the credentials page: the same rotation as the API, through a form that needs no script.</summary>
public sealed class RotationPortalTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_manager_rotates_a_secret_from_the_list_and_the_old_one_stops_after_the_chosen_grace(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var http = portal.CreateClient();
        var (application, oldSecret, oldId) = await CallerAsync(portal);
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var pages = new CredentialsPages(admin, application.Id);

        var list = await pages.ListAsync(application.ClientId);
        var rotate = CredentialsPages.Rows(list, CredentialKind.Secret).Single().QuerySelectorAll("a")
            .Single(a => a.TextContent.StartsWith("Rotate", StringComparison.Ordinal)).GetAttribute("href")!;
        var form = await admin.GetAsync(rotate);
        Assert.Contains("Rotation checklist", form.Text, StringComparison.Ordinal);
        Assert.Contains("Grace period", form.Text, StringComparison.Ordinal);

        var refused = await admin.SubmitAsync(form, new Dictionary<string, string> { ["GraceDays"] = "45" });
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Contains("The grace period must be from 1 minute to 30 days.", refused.Text, StringComparison.Ordinal);

        var now = portal.Time.GetUtcNow().UtcDateTime;
        var created = await admin.SubmitAsync(form, new Dictionary<string, string> { ["GraceDays"] = "1" });
        var newSecret = CredentialsPages.NewSecretValue(created) ?? throw new InvalidOperationException(created.Text);
        Assert.Contains("stops working on", created.Text, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, oldSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, newSecret)).StatusCode);
        var after = await pages.ListAsync(application.ClientId);
        var oldRow = CredentialsPages.Rows(after, CredentialKind.Secret).Single(r => r.TextContent.Contains("Rotated", StringComparison.Ordinal));
        Assert.DoesNotContain(oldRow.QuerySelectorAll("a"), a => a.TextContent.StartsWith("Rotate", StringComparison.Ordinal));

        portal.Time.Advance(TimeSpan.FromDays(1));
        await AssertErrorAsync(await RequestTokenAsync(http, application.ClientId, oldSecret), HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, newSecret)).StatusCode);

        await using var db = portal.CreateDbContext();
        var old = await db.ClientCredentials.SingleAsync(c => c.Id == oldId);
        Assert.Equal(now.AddDays(1), old.ExpiresAt);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.CredentialId == oldId && e.EventType == AuditEventTypes.SecretRotated));
    }

    [Fact]
    public async Task The_rotate_form_of_another_applications_credential_is_not_found()
    {
        await using var portal = await PortalFactory.StartAsync();
        var (application, _, _) = await CallerAsync(portal);
        var (_, _, otherId) = await CallerAsync(portal);
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();

        var page = await admin.GetAsync($"/manage-api-credentials/{application.Id}/secrets/new?replaces={otherId}");
        Assert.Equal(HttpStatusCode.NotFound, page.Status);
    }
}
