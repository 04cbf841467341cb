using System.Globalization;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Reminders;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Reminders;

public sealed class ReminderDeliveryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Through_a_real_smtp_server_that_refuses_twice_the_reminder_is_retried_with_backoff_and_sent_once()
    {
        await using var smtp = new SmtpTestServer();
        await using var walk = await ReminderWalk.StartAsync(settings: SmtpSettings(smtp));
        var application = await walk.AddApplicationAsync("smtp", withManager: true, "ops@partner.example");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(43));
        var start = walk.Now;

        // Day 1 (42 days left): passes every 15 minutes; the server answers 451 twice, then accepts.
        smtp.RefuseNext("451 local error, try again later");
        smtp.RefuseNext("451 local error, try again later");
        var results = new List<(int Claimed, OutboxPassResult Delivery)>();
        for (var quarter = 0; quarter < 4; quarter++)
        {
            walk.Time.SetUtcNow(start.AddDays(1).AddMinutes(15 * quarter));
            results.Add(await walk.RunAsync());
        }

        Assert.Equal([(1, 0, 1), (0, 0, 1), (0, 1, 0), (0, 0, 0)], results.Select(r => (r.Claimed, r.Delivery.Sent, r.Delivery.Retrying)));
        var raw = Assert.Single(smtp.Messages);
        Assert.Contains("To: ops@partner.example, smtp@partner.example", raw, StringComparison.Ordinal);
        Assert.Contains("multipart/alternative", raw, StringComparison.Ordinal);
        await using (var db = walk.Portal.CreateDbContext())
        {
            var delivery = await db.OutboxMessages.SingleAsync(Token);
            Assert.EndsWith("/42d", delivery.IdentityKey, StringComparison.Ordinal);
            Assert.Equal((EmailKind.Reminder, OutboxStatus.Sent, 3), (delivery.EmailKind, delivery.Status, delivery.Attempts));
            Assert.Null(delivery.LastError);
            Assert.Null(delivery.ClaimedBy);
            Assert.Equal(start.AddDays(1).AddMinutes(30), delivery.SentAt);
        }

        // The rest of the week: nothing more.
        for (var day = 2; day <= 8; day++)
        {
            walk.Time.SetUtcNow(start.AddDays(day));
            await walk.RunAsync();
        }

        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task A_permanent_refusal_fails_the_reminder_audits_it_and_the_next_slot_still_goes_out()
    {
        await using var smtp = new SmtpTestServer();
        await using var walk = await ReminderWalk.StartAsync(settings: SmtpSettings(smtp));
        var application = await walk.AddApplicationAsync("refused");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(42));

        smtp.RefuseNext("554 mailbox unavailable");
        var first = await walk.RunAsync();
        walk.Time.Advance(TimeSpan.FromHours(2));
        var later = await walk.RunAsync();

        Assert.Equal((1, 0, 1), (first.Claimed, first.Delivery.Sent, first.Delivery.Failed));
        Assert.Equal((0, 0, 0), (later.Claimed, later.Delivery.Sent, later.Delivery.Failed));
        Assert.Empty(smtp.Messages);
        await using (var db = walk.Portal.CreateDbContext())
        {
            // What the administrators' dashboard counts.
            Assert.Equal(1, await db.OutboxMessages.CountAsync(e => e.Status == OutboxStatus.Failed, Token));
            var audit = await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.EmailFailed, Token);
            Assert.Equal((application.Id, secret.Id, "system"), (audit.ApplicationId!.Value, audit.CredentialId!.Value, audit.Actor));
            Assert.Contains("expires in 42 days", audit.Details, StringComparison.Ordinal);
            Assert.Contains("mailbox unavailable", audit.Details, StringComparison.Ordinal);
        }

        walk.Time.Advance(TimeSpan.FromDays(21));
        await walk.RunAsync();
        var unfolded = Assert.Single(smtp.Messages).Replace("\r\n ", " ", StringComparison.Ordinal);
        Assert.Contains("expires in 21 days", unfolded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transient_failures_give_up_after_the_configured_attempts()
    {
        await using var smtp = new SmtpTestServer();
        var settings = SmtpSettings(smtp);
        settings["Email:Outbox:MaxAttempts"] = "3";
        await using var walk = await ReminderWalk.StartAsync(settings: settings);
        var application = await walk.AddApplicationAsync("flaky");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(42));
        for (var i = 0; i < 5; i++)
        {
            smtp.RefuseNext("421 service not available");
        }

        var outcomes = new List<(int Retrying, int Failed)>();
        for (var i = 0; i < 4; i++)
        {
            var result = (await walk.RunAsync()).Delivery;
            outcomes.Add((result.Retrying, result.Failed));
            walk.Time.Advance(TimeSpan.FromMinutes(15));
        }

        Assert.Equal([(1, 0), (1, 0), (0, 1), (0, 0)], outcomes);
        await using var db = walk.Portal.CreateDbContext();
        Assert.Single(await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.EmailFailed).ToListAsync(Token));
    }

    [Fact]
    public async Task A_crashed_instances_claim_expires_and_another_pass_sends_the_reminder()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("crash");
        await walk.AddSecretAsync(application, "Production", walk.Midnight(21));
        Assert.Equal(1, await walk.Pass.RunAsync(Token));
        await using (var db = walk.Portal.CreateDbContext())
        {
            // What an instance leaves behind when it dies after leasing the reminder, before the server accepted it.
            var until = walk.Now.AddMinutes(5);
            await db.OutboxMessages.ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedBy, "crashed-instance").SetProperty(e => e.ClaimedUntil, until), Token);
        }

        var whileClaimed = await walk.RunAsync();
        walk.Time.Advance(TimeSpan.FromMinutes(5));
        var afterLease = await walk.RunAsync();

        Assert.Equal((0, 0), (whileClaimed.Claimed, whileClaimed.Delivery.Sent));
        Assert.Equal((0, 1), (afterLease.Claimed, afterLease.Delivery.Sent));
        Assert.Single(walk.Portal.Mail.All());
    }

    [Fact]
    public async Task A_reminder_still_in_backoff_when_a_later_slot_falls_due_is_dropped_unsent()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("superseded");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(2));
        await using (var db = walk.Portal.CreateDbContext())
        {
            // Yesterday's 3d reminder, refused once and waiting for its retry.
            var refused = OutboxMessage.ForEmail(walk.Now.AddDays(-1),
                new EmailMessage(["superseded@partner.example"], "Client secret \"Production\" expires in 3 days", "", "",
                    ReminderEmail.IdentityKey(secret.Id, ReminderSlot.DaysBeforeExpiry(3))),
                EmailKind.Reminder, application.OrganisationId, application.Id, secret.Id);
            refused.Attempts = 1;
            refused.NextAttemptAt = walk.Now.AddMinutes(30);
            refused.LastError = "451 try later";
            db.OutboxMessages.Add(refused);
            await db.SaveChangesAsync(Token);
        }

        var today = await walk.RunAsync();
        walk.Time.Advance(TimeSpan.FromMinutes(30));
        var retry = await walk.RunAsync();

        Assert.Equal((1, 1, 0), (today.Claimed, today.Delivery.Sent, today.Delivery.Dropped));
        Assert.Equal((0, 0, 1), (retry.Claimed, retry.Delivery.Sent, retry.Delivery.Dropped));
        Assert.Contains("expires in 2 days", Assert.Single(walk.Portal.Mail.All()).Subject, StringComparison.Ordinal);
        await using var check = walk.Portal.CreateDbContext();
        var statuses = await check.OutboxMessages.OrderBy(e => e.Id).Select(e => new { e.IdentityKey, e.Status }).ToListAsync(Token);
        Assert.Equal([("3d", OutboxStatus.Dropped), ("2d", OutboxStatus.Sent)],
            statuses.Select(e => (e.IdentityKey.Split('/')[^1], e.Status)));
    }

    [Fact]
    public async Task A_secret_disabled_after_its_slot_was_claimed_gets_no_email()
    {
        await using var smtp = new SmtpTestServer();
        await using var walk = await ReminderWalk.StartAsync(settings: SmtpSettings(smtp));
        var application = await walk.AddApplicationAsync("disabled-later");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(7));
        smtp.RefuseNext("451 try later");
        var first = await walk.RunAsync();

        await walk.DisableAsync(secret);
        walk.Time.Advance(TimeSpan.FromMinutes(15));
        var retry = (await walk.RunAsync()).Delivery;

        Assert.Equal((1, 1), (first.Claimed, first.Delivery.Retrying));
        Assert.Equal((0, 1), (retry.Sent, retry.Dropped));
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task Without_managers_or_notification_addresses_the_administrators_address_receives_the_reminder()
    {
        await using var walk = await ReminderWalk.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Portal:AdministratorsEmail"] = "credential-admins@operator.example",
        });
        var application = await walk.AddApplicationAsync("orphan", withManager: false);
        await walk.AddSecretAsync(application, "Production", walk.Midnight(7));

        await walk.RunAsync();

        Assert.Equal(["credential-admins@operator.example"], Assert.Single(walk.Portal.Mail.All()).To);
    }

    [Fact]
    public async Task Without_an_administrators_address_the_administrator_accounts_receive_the_reminder()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("orphan", withManager: false);
        await walk.AddSecretAsync(application, "Production", walk.Midnight(7));

        await walk.RunAsync();

        Assert.Equal([PortalFactory.AdminEmail], Assert.Single(walk.Portal.Mail.All()).To);
    }

    [Fact]
    public async Task The_background_service_sends_due_reminders_at_start_up()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:CredentialPortal"] = database.ConnectionString };
        await using (var seeding = await ReminderWalk.StartAsync(settings: settings))
        {
            var application = await seeding.AddApplicationAsync("startup");
            await seeding.AddSecretAsync(application, "Production", seeding.Midnight(21));
        }

        await using var portal = await PortalFactory.StartAsync(settings: settings);

        // The service starts its first pass with the host, before any interval has passed on the (fake) clock.
        await portal.BackgroundService<ReminderService>().FirstPass.WaitAsync(Token);
        await portal.RunNextPassAsync<OutboxSender>();

        var mail = Assert.Single(portal.Mail.All());
        Assert.Equal(["startup@partner.example"], mail.To);
        Assert.Contains("expires in 21 days", mail.Subject, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> SmtpSettings(SmtpTestServer smtp) => new()
    {
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
        ["Email:Smtp:TimeoutMilliseconds"] = "5000",
    };
}
