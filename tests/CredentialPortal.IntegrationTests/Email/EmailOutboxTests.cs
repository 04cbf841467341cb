using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.IntegrationTests.Account;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Pages.Account;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Email;

/// <summary>
/// The email outbox against real SMTP faults: a server that is down (connection refused), one that accepts the
/// connection and never answers, one that refuses for good, and an instance that died after the server accepted.
/// </summary>
public sealed partial class EmailOutboxTests
{
    private const string Manager = "manager@demoorg.example";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Smtp_down_while_a_secret_is_created_and_deleted_then_up_delivers_each_notification_exactly_once()
    {
        var port = SmtpTestServer.UnusedPort();
        await using var portal = await PortalFactory.StartAsync(settings: Smtp(port));
        using var http = portal.CreateClient();
        var (clientId, token) = await CallerWithManagerAsync(portal, http);

        var created = await OkJsonAsync(await CreateAsync(http, clientId, token, "While SMTP is down", Date(portal, 90)), HttpStatusCode.Created);
        using var deleted = await ActAsync(http, clientId, created.GetProperty("id").GetInt32(), "delete", token);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await portal.RunNextPassAsync<OutboxSender>();

        // Refused connections: both kept for a retry, nothing lost.
        var pending = await NotificationsAsync(portal);
        Assert.Equal(2, pending.Count);
        Assert.All(pending, e => Assert.Equal(OutboxStatus.Pending, e.Status));
        Assert.All(pending, e => Assert.True(e.Attempts >= 1 && e.LastError is not null, e.LastError));

        await using var smtp = SmtpTestServer.OnPort(port);
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        await portal.RunNextPassAsync<OutboxSender>();
        portal.Time.Advance(TimeSpan.FromHours(2));
        await portal.RunNextPassAsync<OutboxSender>();

        Assert.Equal(["created", "deleted"], smtp.Messages.Select(m => SubjectVerb().Match(m).Groups[1].Value));
        Assert.Equal(2, smtp.Messages.Select(MessageId).Distinct().Count());
        Assert.All(await NotificationsAsync(portal), e => Assert.Equal(OutboxStatus.Sent, e.Status));
        await using var db = portal.CreateDbContext();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.NotificationQueued, Token));
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.NotificationDelivered, Token));
    }

    [Fact]
    public async Task Smtp_that_never_answers_does_not_hold_up_the_api_and_the_notification_is_delivered_later()
    {
        await using var smtp = SmtpTestServer.Silent();
        await using var portal = await PortalFactory.StartAsync(settings: Smtp(smtp.Port));
        using var http = portal.CreateClient();
        var (clientId, token) = await CallerWithManagerAsync(portal, http);
        var before = portal.Time.GetUtcNow();

        // The answer comes while the sender hangs on the server: the clock has not moved, so no SMTP timeout ran out.
        using var created = await CreateAsync(http, clientId, token, "While SMTP hangs", Date(portal, 90));
        await smtp.Connected.WaitAsync(Token);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(before, portal.Time.GetUtcNow());
        Assert.Empty(smtp.Messages);

        // The hung attempt times out (5 s on the fake clock); the retry finds the server answering.
        smtp.StartAnswering();
        portal.Time.Advance(TimeSpan.FromSeconds(5));
        await portal.RunNextPassAsync<OutboxSender>();
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        await portal.RunNextPassAsync<OutboxSender>();

        Assert.Equal("created", SubjectVerb().Match(Assert.Single(smtp.Messages)).Groups[1].Value);
        var sent = Assert.Single(await NotificationsAsync(portal));
        Assert.Equal((OutboxStatus.Sent, 2), (sent.Status, sent.Attempts));
        Assert.Equal("", sent.TextBody + sent.HtmlBody);
    }

    [Fact]
    public async Task Smtp_that_never_answers_does_not_hold_up_a_portal_post_and_the_reset_link_is_delivered_later()
    {
        await using var smtp = SmtpTestServer.Silent();
        await using var portal = await PortalFactory.StartAsync(settings: Smtp(smtp.Port));
        using var client = new PortalClient(portal);
        var before = portal.Time.GetUtcNow();

        var answer = await LinkTests.RequestResetAsync(client, PortalFactory.AdminEmail);
        await smtp.Connected.WaitAsync(Token);

        Assert.Contains(ForgotPasswordModel.SentMessage, answer.Text, StringComparison.Ordinal);
        Assert.Equal(before, portal.Time.GetUtcNow());
        Assert.Empty(smtp.Messages);

        smtp.StartAnswering();
        portal.Time.Advance(TimeSpan.FromSeconds(5));
        await portal.RunNextPassAsync<OutboxSender>();
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        await portal.RunNextPassAsync<OutboxSender>();

        Assert.Contains("/Account/ResetPassword", Assert.Single(smtp.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_the_host_while_the_server_hangs_releases_the_lease_at_once()
    {
        await using var smtp = SmtpTestServer.Silent();
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var settings = Smtp(smtp.Port);
        settings["ConnectionStrings:CredentialPortal"] = database.ConnectionString;
        await using (var portal = await PortalFactory.StartAsync(settings: settings))
        {
            using var http = portal.CreateClient();
            var (clientId, token) = await CallerWithManagerAsync(portal, http);
            using var created = await CreateAsync(http, clientId, token, "Shutdown", Date(portal, 90));
            await smtp.Connected.WaitAsync(Token);
            Assert.NotNull(Assert.Single(await NotificationsAsync(portal)).ClaimedBy);
        }

        // The host stopped mid-send: the email is free for any instance now, not after the 5-minute lease.
        await using var db = StoreRegistration.CreateStandaloneContext(DatabaseProvider.Sqlite, database.ConnectionString);
        var email = await db.OutboxMessages.SingleAsync(e => e.EmailKind == EmailKind.SecurityNotification, Token);
        Assert.Equal((OutboxStatus.Pending, null, null, 0), (email.Status, email.ClaimedBy, email.ClaimedUntil, email.Attempts));
    }

    [Fact]
    public async Task A_permanent_refusal_is_failed_audited_and_counted_on_the_dashboard()
    {
        await using var smtp = new SmtpTestServer();
        smtp.RefuseNext("554 5.7.1 relaying denied");
        await using var portal = await PortalFactory.StartAsync(settings: Smtp(smtp.Port));
        using var http = portal.CreateClient();
        var (clientId, token) = await CallerWithManagerAsync(portal, http);

        using var created = await CreateAsync(http, clientId, token, "Refused", Date(portal, 90));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await portal.RunNextPassAsync<OutboxSender>();
        portal.Time.Advance(TimeSpan.FromHours(2));
        await portal.RunNextPassAsync<OutboxSender>();

        Assert.Empty(smtp.Messages);
        var failed = Assert.Single(await NotificationsAsync(portal));
        Assert.Equal((OutboxStatus.Failed, 1), (failed.Status, failed.Attempts));
        await using (var db = portal.CreateDbContext())
        {
            var audit = await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.EmailFailed, Token);
            Assert.Equal((failed.ApplicationId, "system"), (audit.ApplicationId, audit.Actor));
            Assert.Contains("relaying denied", audit.Details, StringComparison.Ordinal);
            Assert.False(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.NotificationDelivered, Token));
        }

        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var dashboard = await admin.GetAsync("/admin");
        Assert.Equal("1", dashboard.Document.QuerySelector("a[href='/admin/audit?EventType=email.failed'] .count")?.TextContent);
    }

    [Fact]
    public async Task A_crash_between_acceptance_and_marking_repeats_the_email_at_most_once_with_the_same_message_id()
    {
        await using var smtp = new SmtpTestServer();
        var settings = Smtp(smtp.Port);
        settings["Email:Outbox:Enabled"] = "false";
        await using var portal = await PortalFactory.StartAsync(settings: settings);
        using var http = portal.CreateClient();
        var (clientId, token) = await CallerWithManagerAsync(portal, http);
        using var created = await CreateAsync(http, clientId, token, "Crash", Date(portal, 90));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The instance that died: it leased the email, the server accepted it, and the process ended before the mark.
        var queued = Assert.Single(await NotificationsAsync(portal));
        var leaseEnds = portal.Time.GetUtcNow().UtcDateTime.AddMinutes(5);
        await using (var db = portal.CreateDbContext())
        {
            await db.OutboxMessages.ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedBy, "dead-instance").SetProperty(e => e.ClaimedUntil, leaseEnds), Token);
        }

        await portal.Services.GetRequiredService<IEmailSender>().SendAsync(queued.ToEmailMessage(), cancellationToken: Token);
        var outbox = portal.Services.GetRequiredService<OutboxPass>();

        var whileLeased = await outbox.RunAsync(Token);
        portal.Time.Advance(TimeSpan.FromMinutes(5));
        var afterLease = await outbox.RunAsync(Token);
        portal.Time.Advance(TimeSpan.FromHours(1));
        var later = await outbox.RunAsync(Token);

        Assert.Equal((0, 1, 0), (whileLeased.Sent, afterLease.Sent, later.Sent));
        Assert.Equal(2, smtp.Messages.Count);
        Assert.Single(smtp.Messages.Select(MessageId).Distinct());
        Assert.Equal(OutboxStatus.Sent, Assert.Single(await NotificationsAsync(portal)).Status);
    }

    /// <summary>A self-rotating application with one credential manager, and a token for its management API.</summary>
    private static async Task<(string ClientId, string Token)> CallerWithManagerAsync(PortalFactory portal, HttpClient http)
    {
        var application = await ManagedApplicationAsync(portal, [Manager]);
        var (secret, _) = await AddSecretAsync(portal, application);
        return (application.ClientId, await GetTokenAsync(http, application.ClientId, secret, scope: "credentials.self"));
    }

    private static async Task<List<OutboxMessage>> NotificationsAsync(PortalFactory portal)
    {
        await using var db = portal.CreateDbContext();
        return await db.OutboxMessages.Where(e => e.EmailKind == EmailKind.SecurityNotification).OrderBy(e => e.Id).ToListAsync(Token);
    }

    /// <summary>Mail to a real SMTP server; reminders off, so only the notifications under test go out.</summary>
    private static Dictionary<string, string?> Smtp(int port) => new()
    {
        ["Reminders:Enabled"] = "false",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "None",
        ["Email:Smtp:TimeoutMilliseconds"] = "5000",
    };

    private static string MessageId(string raw) => MessageIdHeader().Match(raw).Groups[1].Value;

    [GeneratedRegex(@"^Subject: Client secret (\w+)", RegexOptions.Multiline)]
    private static partial Regex SubjectVerb();

    [GeneratedRegex(@"^Message-Id: <([^>]+)>", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdHeader();
}
