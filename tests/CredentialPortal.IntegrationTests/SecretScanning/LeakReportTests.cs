using System.Net;
using System.Text.Json;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.IntegrationTests.Webhooks;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using CredentialPortal.Testing.Credentials;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.SecretScanning;

/// <summary>A leak reported by hand, from the portal and through the management API: the same response as an alert.</summary>
public sealed class LeakReportTests
{
    [Fact]
    public async Task A_manager_reports_a_leak_from_the_portal_and_everyone_sees_it()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var portal = await PortalFactory.StartAsync(settings: WebhookTestKit.Settings(("Reminders:Enabled", "false")));
        var (organisationId, ids) = await portal.CreateOrganisationAsync("DemoOrg", "DM");
        await using (var db = portal.CreateDbContext())
        {
            db.ApplicationPermissions.Add(new ApplicationPermission { ApplicationId = ids[0], Api = "data-manager", Environment = ApiEnvironment.Production });
            await db.SaveChangesAsync();
        }

        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var manager = await admin.InviteAndOnboardAsync("jane.doe@demoorg.example", organisationId, [ids[0]], "Jane Doe");
        var credentials = new CredentialsPages(manager.Client, ids[0]);
        var (_, value) = await credentials.CreateSecretAsync("Leaky");
        await WebhookTestKit.RegisterAsync(portal, receiver.Address.ToString(), applicationId: ids[0]);

        using var managerClient = manager.Client;
        var secretId = await SecretIdAsync(portal);
        Assert.Contains("Report leak", (await credentials.ListAsync()).Text);
        var reportPage = await credentials.ReportLeakPageAsync(secretId);

        // Where it was found is required, and never the secret itself.
        Assert.Contains((await credentials.ReportLeakAsync(reportPage, " ")).FieldErrors, e => e.Contains("Say where", StringComparison.Ordinal));
        Assert.Contains((await credentials.ReportLeakAsync(reportPage, $"in the log: {value}")).FieldErrors,
            e => e.Contains("Leave the secret itself out", StringComparison.Ordinal));
        var reported = await credentials.ReportLeakAsync(reportPage, "pasted in support ticket 4711");

        Assert.Contains("disabled and marked as found in public", reported.Text);
        Assert.Contains("Found in public", reported.Text);
        Assert.Contains("pasted in support ticket 4711", reported.Text);
        Assert.DoesNotContain("Report leak", reported.Text);
        using var http = portal.CreateClient();
        await portal.RunNextPassAsync<CredentialChangePoller>();
        var refused = await AssertErrorAsync(await RequestTokenAsync(http, await ClientIdAsync(portal, ids[0]), value),
            HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Contains("found in public", refused.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, AdminPages.DashboardCount(await admin.GetAsync("/admin"), "leaked-secrets"));
        var audit = await GitHubAlertKit.AuditAsync(portal, AuditEventTypes.SecretLeaked);
        Assert.Equal("jane.doe@demoorg.example", Assert.Single(audit).Actor);

        await WebhookTestKit.DeliverPendingAsync(portal);
        var delivered = await receiver.WaitForAsync(r => r.Body.Length > 0
            && JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString() == WebhookEventTypes.CredentialLeaked);
        var data = JsonDocument.Parse(delivered.Body).RootElement.GetProperty("data");
        Assert.Equal("pasted in support ticket 4711", data.GetProperty("found_at").GetString());
        Assert.True(data.GetProperty("disabled").GetBoolean());
        Assert.Contains(portal.Mail.To(manager.Email), m => m.Subject.Contains("found in public", StringComparison.Ordinal)
            && m.TextBody.Contains("pasted in support ticket 4711", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_management_API_reports_a_leak_with_the_same_response()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var http = portal.CreateClient();
        var (self, secret, secretId) = await CallerAsync(portal);
        var (second, _) = await AddSecretAsync(portal, self);
        var token = await GetTokenAsync(http, self.ClientId, second, scope: "credentials.self");
        var path = $"/api/v1/applications/{self.ClientId}/secrets/{secretId}/leaked";

        await AssertProblemAsync(await SendAsync(http, HttpMethod.Post, path, token, """{"location":""}"""), HttpStatusCode.BadRequest, "Say where");
        await AssertProblemAsync(await SendAsync(http, HttpMethod.Post, path, token, "not json"), HttpStatusCode.BadRequest, "");
        var reported = await OkJsonAsync(await SendAsync(http, HttpMethod.Post, path, token, """{"location":"https://gist.github.com/x/1"}"""));

        Assert.Equal("disabled", reported.GetProperty("status").GetString());
        Assert.Equal("https://gist.github.com/x/1", reported.GetProperty("leakLocation").GetString());
        Assert.NotEqual(JsonValueKind.Null, reported.GetProperty("leakedAt").ValueKind);
        await AssertErrorAsync(await RequestTokenAsync(http, self.ClientId, secret), HttpStatusCode.Unauthorized, "invalid_client");
        // Reported again: nothing changes.
        Assert.Equal("disabled", (await OkJsonAsync(await SendAsync(http, HttpMethod.Post, path, token, """{"location":"elsewhere"}""")))
            .GetProperty("status").GetString());
        Assert.Single(await GitHubAlertKit.AuditAsync(portal, AuditEventTypes.SecretLeaked));
    }

    private static async Task<int> SecretIdAsync(PortalFactory portal)
    {
        await using var db = portal.CreateDbContext();
        return await db.ClientSecrets.Select(s => s.Id).SingleAsync();
    }

    private static async Task<string> ClientIdAsync(PortalFactory portal, int applicationId)
    {
        await using var db = portal.CreateDbContext();
        return await db.Applications.Where(a => a.Id == applicationId).Select(a => a.ClientId).SingleAsync();
    }
}
