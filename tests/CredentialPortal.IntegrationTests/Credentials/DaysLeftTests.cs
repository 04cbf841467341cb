using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Reminders;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Credentials;
using Microsoft.Extensions.Time.Testing;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Credentials;

/// <summary>Issue 19 item 3: the page said 18 days left, the email 19, for one secret at one moment.</summary>
public sealed class DaysLeftTests
{
    [Fact]
    public async Task Page_api_and_reminder_email_count_the_same_calendar_days()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var portal = await PortalFactory.StartAsync(time: time,
            settings: new Dictionary<string, string?> { ["Portal:AdministratorsEmail"] = "ops@operator.example" });
        var (application, callerSecret, _) = await CallerAsync(portal);
        var expiresAt = CredentialExpiryPolicy.ExpiresAtFor(new DateOnly(2026, 12, 20));
        var (_, secretId) = await AddSecretAsync(portal, application, expiresIn: expiresAt - time.GetUtcNow().UtcDateTime);

        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var page = await new CredentialsPages(admin, application.Id).ListAsync();
        var row = CredentialsPages.Rows(page, CredentialKind.Secret).Single(r => r.InnerHtml.Contains("2026-12-20", StringComparison.Ordinal));
        Assert.Contains("(19 days left)", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Expires in 19 days", row.TextContent, StringComparison.Ordinal);

        using var http = portal.CreateClient();
        var token = await GetTokenAsync(http, application.ClientId, callerSecret, "credentials.self");
        var json = await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{application.ClientId}", token));
        var secret = json.GetProperty("secrets").EnumerateArray().Single(s => s.GetProperty("id").GetInt32() == secretId);
        Assert.Equal(19, secret.GetProperty("daysLeft").GetInt32());

        await portal.RunNextPassAsync<ReminderService>();
        await portal.RunNextPassAsync<OutboxSender>();
        var subjects = portal.Mail.To("ops@operator.example").Select(m => m.Subject).ToList();
        Assert.Single(subjects, s => s.EndsWith("expires in 19 days", StringComparison.Ordinal));
        Assert.DoesNotContain(subjects, s => s.Contains("18 days", StringComparison.Ordinal));
    }
}
