using System.Globalization;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Reminders;
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
        var results = new List<ReminderPassResult>();
        for (var quarter = 0; quarter < 4; quarter++)
        {
            walk.Time.SetUtcNow(start.AddDays(1).AddMinutes(15 * quarter));
            results.Add(await walk.Pass.RunAsync(Token));
        }

        Assert.Equal([(1, 0, 1), (0, 0, 1), (0, 1, 0), (0, 0, 0)], results.Select(r => (r.Claimed, r.Sent, r.Retrying)));
        var raw = Assert.Single(smtp.Messages);
        Assert.Contains("To: ops@partner.example, smtp@partner.example", raw, StringComparison.Ordinal);
        Assert.Contains("multipart/alternative", raw, StringComparison.Ordinal);
        await using (var db = walk.Portal.CreateDbContext())
        {
            var delivery = await db.ReminderDeliveries.SingleAsync(Token);
            Assert.Equal(("42d", ReminderDeliveryStatus.Sent, 3), (delivery.Slot, delivery.Status, delivery.Attempts));
            Assert.Null(delivery.LastError);
            Assert.Null(delivery.ClaimedBy);
            Assert.Equal(start.AddDays(1).AddMinutes(30), delivery.SentAt);
        }

        // The rest of the week: nothing more.
        for (var day = 2; day <= 8; day++)
        {
            walk.Time.SetUtcNow(start.AddDays(day));
            await walk.Pass.RunAsync(Token);
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
        var first = await walk.Pass.RunAsync(Token);
        walk.Time.Advance(TimeSpan.FromHours(2));
        var later = await walk.Pass.RunAsync(Token);

        Assert.Equal((1, 0, 1), (first.Claimed, first.Sent, first.Failed));
        Assert.Equal((0, 0, 0), (later.Claimed, later.Sent, later.Failed));
        Assert.Empty(smtp.Messages);
        await using (var db = walk.Portal.CreateDbContext())
        {
            // What the administrators' dashboard counts.
            Assert.Equal(1, await db.ReminderDeliveries.CountAsync(r => r.Status == ReminderDeliveryStatus.Failed, Token));
            var audit = await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.ReminderFailed, Token);
            Assert.Equal((application.Id, secret.Id, "system"), (audit.ApplicationId!.Value, audit.SecretId!.Value, audit.Actor));
            Assert.Contains("42d", audit.Details, StringComparison.Ordinal);
            Assert.Contains("mailbox unavailable", audit.Details, StringComparison.Ordinal);
        }

        walk.Time.Advance(TimeSpan.FromDays(21));
        await walk.Pass.RunAsync(Token);
        var unfolded = Assert.Single(smtp.Messages).Replace("\r\n ", " ", StringComparison.Ordinal);
        Assert.Contains("expires in 21 days", unfolded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transient_failures_give_up_after_the_configured_attempts()
    {
        await using var smtp = new SmtpTestServer();
        var settings = SmtpSettings(smtp);
        settings["Reminders:MaxAttempts"] = "3";
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
            var result = await walk.Pass.RunAsync(Token);
            outcomes.Add((result.Retrying, result.Failed));
            walk.Time.Advance(TimeSpan.FromMinutes(15));
        }

        Assert.Equal([(1, 0), (1, 0), (0, 1), (0, 0)], outcomes);
        await using var db = walk.Portal.CreateDbContext();
        Assert.Single(await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.ReminderFailed).ToListAsync(Token));
    }

    [Fact]
    public async Task A_crashed_instances_claim_expires_and_another_pass_sends_the_reminder()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("crash");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(21));
        await using (var db = walk.Portal.CreateDbContext())
        {
            // What an instance leaves behind when it dies between claiming and sending.
            db.ReminderDeliveries.Add(new ReminderDelivery
            {
                SecretId = secret.Id,
                Slot = "21d",
                CreatedAt = walk.Now,
                NextAttemptAt = walk.Now,
                ClaimedBy = "crashed-instance",
                ClaimedUntil = walk.Now.AddMinutes(5),
            });
            await db.SaveChangesAsync(Token);
        }

        var whileClaimed = await walk.Pass.RunAsync(Token);
        walk.Time.Advance(TimeSpan.FromMinutes(5));
        var afterLease = await walk.Pass.RunAsync(Token);

        Assert.Equal((0, 0), (whileClaimed.Claimed, whileClaimed.Sent));
        Assert.Equal((0, 1), (afterLease.Claimed, afterLease.Sent));
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
            db.ReminderDeliveries.Add(new ReminderDelivery
            {
                SecretId = secret.Id,
                Slot = "3d",
                CreatedAt = walk.Now.AddDays(-1),
                Attempts = 1,
                NextAttemptAt = walk.Now.AddMinutes(30),
                LastError = "451 try later",
            });
            await db.SaveChangesAsync(Token);
        }

        var today = await walk.Pass.RunAsync(Token);
        walk.Time.Advance(TimeSpan.FromMinutes(30));
        var retry = await walk.Pass.RunAsync(Token);

        Assert.Equal((1, 1, 0), (today.Claimed, today.Sent, today.Dropped));
        Assert.Equal((0, 0, 1), (retry.Claimed, retry.Sent, retry.Dropped));
        Assert.Contains("expires in 2 days", Assert.Single(walk.Portal.Mail.All()).Subject, StringComparison.Ordinal);
        await using var check = walk.Portal.CreateDbContext();
        Assert.Equal(["2d"], await check.ReminderDeliveries.Select(r => r.Slot).ToListAsync(Token));
    }

    [Fact]
    public async Task A_secret_disabled_after_its_slot_was_claimed_gets_no_email()
    {
        await using var smtp = new SmtpTestServer();
        await using var walk = await ReminderWalk.StartAsync(settings: SmtpSettings(smtp));
        var application = await walk.AddApplicationAsync("disabled-later");
        var secret = await walk.AddSecretAsync(application, "Production", walk.Midnight(7));
        smtp.RefuseNext("451 try later");
        var first = await walk.Pass.RunAsync(Token);

        await walk.DisableAsync(secret);
        walk.Time.Advance(TimeSpan.FromMinutes(15));
        var retry = await walk.Pass.RunAsync(Token);

        Assert.Equal((1, 1), (first.Claimed, first.Retrying));
        Assert.Equal((0, 1), (retry.Sent, retry.Dropped));
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task Paging_through_many_secrets_with_the_same_expiry_finds_each_due_slot_exactly_once()
    {
        await using var walk = await ReminderWalk.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:BatchSize"] = "7" });
        var expected = new List<int>();
        foreach (var days in new[] { 3, 10, 30 })
        {
            var application = await walk.AddApplicationAsync("same-expiry-" + days.ToString(CultureInfo.InvariantCulture));
            for (var i = 0; i < 20; i++)
            {
                expected.Add((await walk.AddSecretAsync(application, "Secret " + i.ToString(CultureInfo.InvariantCulture), walk.Midnight(days))).Id);
            }
        }

        var found = new List<int>();
        await foreach (var due in walk.Pass.FindDueAsync(walk.Now, Token))
        {
            found.Add(due.SecretId);
        }

        Assert.Equal(expected.Order(), found.Order());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Two_concurrent_passes_never_send_the_same_reminder_twice(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var walk = await ReminderWalk.StartAsync(provider, new Dictionary<string, string?> { ["Reminders:BatchSize"] = "25" });
        const int Secrets = 120;
        for (var i = 0; i < Secrets; i++)
        {
            var application = await walk.AddApplicationAsync("concurrent" + i.ToString(CultureInfo.InvariantCulture));
            await walk.AddSecretAsync(application, "Production", walk.Midnight(7 + (i % 30)));
        }

        // Two instances: separate pass objects sharing only the database.
        var instances = Enumerable.Range(0, 2)
            .Select(_ => ActivatorUtilities.CreateInstance<ReminderPass>(walk.Portal.Services))
            .ToList();
        var results = await Task.WhenAll(instances.Select(pass => Task.Run(() => pass.RunAsync(Token), Token)));
        var again = await Task.WhenAll(instances.Select(pass => Task.Run(() => pass.RunAsync(Token), Token)));

        Assert.Equal(Secrets, results.Sum(r => r.Claimed));
        Assert.Equal(Secrets, results.Sum(r => r.Sent));
        Assert.All(again, r => Assert.Equal((0, 0), (r.Claimed, r.Sent)));
        var mails = walk.Portal.Mail.All();
        Assert.Equal(Secrets, mails.Count);
        Assert.Equal(Secrets, mails.Select(m => m.To.Single()).Distinct().Count());
        await using var db = walk.Portal.CreateDbContext();
        var deliveries = await db.ReminderDeliveries.ToListAsync(Token);
        Assert.Equal(Secrets, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal((ReminderDeliveryStatus.Sent, 1), (d.Status, d.Attempts)));
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

        await walk.Pass.RunAsync(Token);

        Assert.Equal(["credential-admins@operator.example"], Assert.Single(walk.Portal.Mail.All()).To);
    }

    [Fact]
    public async Task Without_an_administrators_address_the_administrator_accounts_receive_the_reminder()
    {
        await using var walk = await ReminderWalk.StartAsync();
        var application = await walk.AddApplicationAsync("orphan", withManager: false);
        await walk.AddSecretAsync(application, "Production", walk.Midnight(7));

        await walk.Pass.RunAsync(Token);

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
