using System.Net;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Users;
using CredentialPortal.Reminders;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Housekeeping;

/// <summary>
/// Issue 35 item 2: each credential manager gets one email a month listing the unused credentials of the applications
/// they manage ("unused: delete it?"), through the email outbox, never twice for a month however many instances run it
/// or how often, and none when nothing is unused.
/// </summary>
public sealed class UnusedCredentialsDigestTests
{
    private static readonly DateTime December = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Each_manager_gets_one_digest_a_month_listing_only_unused_credentials_however_many_instances_and_passes(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider, Settings(reminders: false));
        var batch = await AddApplicationAsync(portal, "Batch", "digest@partner.example", "other@partner.example");
        var other = await AddApplicationAsync(portal, "Other", "other@partner.example");
        var quiet = await AddApplicationAsync(portal, "Quiet", "quiet@partner.example");
        await AddSecretAsync(portal, batch, "Batch job", createdDaysAgo: 120, lastUsedDaysAgo: null);
        await AddSecretAsync(portal, batch, "Old integration", createdDaysAgo: 300, lastUsedDaysAgo: 100);
        await AddSecretAsync(portal, batch, "Nightly sync", createdDaysAgo: 300, lastUsedDaysAgo: 1);
        await AddSecretAsync(portal, batch, "Disabled spare", createdDaysAgo: 200, lastUsedDaysAgo: null, disabled: true);
        await AddSecretAsync(portal, batch, "New, not used yet", createdDaysAgo: 89, lastUsedDaysAgo: null);
        await AddSecretAsync(portal, other, "Standby", createdDaysAgo: 95, lastUsedDaysAgo: null);
        await AddSecretAsync(portal, quiet, "In use", createdDaysAgo: 300, lastUsedDaysAgo: 2);
        portal.Time.SetUtcNow(December);

        // Two instances at once: separate digest objects sharing only the database.
        var instances = Enumerable.Range(0, 2).Select(_ => ActivatorUtilities.CreateInstance<UnusedCredentialsDigest>(portal.Services)).ToList();
        var queued = await Task.WhenAll(instances.Select(i => Task.Run(() => i.RunAsync(Token), Token)));
        Assert.Equal(2, queued.Sum());
        // Later passes of the month's first days queue nothing more.
        Assert.Equal(0, await instances[0].RunAsync(Token));
        portal.Time.SetUtcNow(December.AddDays(3));
        Assert.Equal(0, await instances[1].RunAsync(Token));
        await portal.Services.GetRequiredService<OutboxPass>().RunAsync(Token);

        var mails = portal.Mail.All();
        Assert.Equal(["digest@partner.example", "other@partner.example"], mails.SelectMany(m => m.To).Order(StringComparer.Ordinal));
        var digest = Assert.Single(portal.Mail.To("digest@partner.example"));
        Assert.Equal("2 unused credentials: delete them? (December 2026)", digest.Subject);
        foreach (var body in new[] { digest.TextBody, WebUtility.HtmlDecode(digest.HtmlBody) })
        {
            Assert.Contains("Secret \"Batch job\"", body, StringComparison.Ordinal);
            Assert.Contains("never used in the 120 days since it was created", body, StringComparison.Ordinal);
            Assert.Contains("Secret \"Old integration\"", body, StringComparison.Ordinal);
            Assert.Contains("not used for 100 days (last used 2026-08-23 09:00 UTC)", body, StringComparison.Ordinal);
            Assert.Contains("unused: delete it?", body, StringComparison.Ordinal);
            Assert.Contains("http://localhost/manage-api-credentials", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Nightly sync", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Disabled spare", body, StringComparison.Ordinal);
            Assert.DoesNotContain("New, not used yet", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Standby", body, StringComparison.Ordinal);
        }

        // A manager of two applications gets one email naming both.
        var both = Assert.Single(portal.Mail.To("other@partner.example"));
        Assert.Equal("3 unused credentials: delete them? (December 2026)", both.Subject);
        Assert.Contains(batch.Name, both.TextBody, StringComparison.Ordinal);
        Assert.Contains(other.Name, both.TextBody, StringComparison.Ordinal);
        Assert.Contains("Secret \"Standby\"", both.TextBody, StringComparison.Ordinal);

        // Past the month's first days nothing goes out; the next month's digest does, once.
        portal.Mail.Clear();
        portal.Time.SetUtcNow(December.AddDays(20));
        Assert.Equal(0, await instances[0].RunAsync(Token));
        portal.Time.SetUtcNow(December.AddMonths(1));
        Assert.Equal(2, await instances[0].RunAsync(Token));
        Assert.Equal(0, await instances[1].RunAsync(Token));
        await portal.Services.GetRequiredService<OutboxPass>().RunAsync(Token);
        // "New, not used yet" is 120 days old by now: unused too.
        var january = Assert.Single(portal.Mail.To("digest@partner.example"));
        Assert.Equal("3 unused credentials: delete them? (January 2027)", january.Subject);
        Assert.Contains("Secret \"New, not used yet\"", january.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_digest_when_nothing_is_unused()
    {
        await using var portal = await PortalFactory.StartAsync(settings: Settings(reminders: false));
        var application = await AddApplicationAsync(portal, "Busy", "busy@partner.example");
        await AddSecretAsync(portal, application, "In use", createdDaysAgo: 300, lastUsedDaysAgo: 3);
        await AddSecretAsync(portal, application, "Expired long ago", createdDaysAgo: 300, lastUsedDaysAgo: null, expiresInDays: -5);
        portal.Time.SetUtcNow(December);

        Assert.Equal(0, await portal.Services.GetRequiredService<UnusedCredentialsDigest>().RunAsync(Token));

        await using var db = portal.CreateDbContext();
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.EmailKind == EmailKind.UnusedCredentialsDigest, Token));
    }

    [Fact]
    public async Task The_reminder_service_sends_the_digest_on_its_first_pass_of_the_month()
    {
        await using var portal = await PortalFactory.StartAsync(settings: Settings(reminders: true));
        var application = await AddApplicationAsync(portal, "Hosted", "hosted@partner.example");
        await AddSecretAsync(portal, application, "Forgotten key rotation", createdDaysAgo: 200, lastUsedDaysAgo: 150);

        // From 23 November to 1 December on the injected clock: the service's next pass, then the outbox's.
        await portal.RunNextPassAsync<ReminderService>(December - portal.Time.GetUtcNow().UtcDateTime);
        await portal.RunNextPassAsync<OutboxSender>();

        var mail = Assert.Single(portal.Mail.To("hosted@partner.example"));
        Assert.Equal("1 unused credential: delete it? (December 2026)", mail.Subject);
        Assert.Contains("- Secret \"Forgotten key rotation\"", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Manage the applications' credentials: http://localhost/manage-api-credentials", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("<a href=\"http://localhost/manage-api-credentials\">", mail.HtmlBody, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage("Unused-credentials digest as sent: {0}", mail.File);
    }

    /// <summary>
    /// Without the services, the test runs the passes itself; with them, the reminder service and the outbox sender run
    /// on the injected clock.
    /// </summary>
    private static Dictionary<string, string?> Settings(bool reminders) => new()
    {
        ["Reminders:Enabled"] = reminders ? "true" : "false",
        ["Email:Outbox:Enabled"] = reminders ? "true" : "false",
        // Expired ones are not housekeeping's subject here.
        ["Retention:Enabled"] = "false",
    };

    /// <summary>An application in an organisation of its own, managed by <paramref name="managers"/> (created when new).</summary>
    private static async Task<Application> AddApplicationAsync(PortalFactory portal, string label, params string[] managers)
    {
        await using var db = portal.CreateDbContext();
        var now = portal.Time.GetUtcNow().UtcDateTime;
        var organisation = await db.Organisations.SingleOrDefaultAsync(o => o.Name == "Digest partner", Token)
            ?? new Organisation { Name = "Digest partner", CountryCode = "NL", CreatedAt = now };
        var application = new Application
        {
            ClientId = SecretGenerator.NewClientId(), Name = $"Partner-NL-DigestPartner-DM-{label}", Organisation = organisation, ApiCode = "DM", CreatedAt = now,
        };
        db.Applications.Add(application);
        foreach (var email in managers)
        {
            var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, Token) ?? new PortalUser
            {
                UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
                DisplayName = email, Organisation = organisation, CreatedAt = now, SecurityStamp = Guid.NewGuid().ToString(),
            };
            db.CredentialManagers.Add(new CredentialManagerAssignment { User = user, Application = application, AssignedAt = now, AssignedBy = "tests" });
        }

        await db.SaveChangesAsync(Token);
        return application;
    }

    /// <summary>A secret as December 1 sees it: created and last used that many days before, valid for 200 days more.</summary>
    private static async Task AddSecretAsync(PortalFactory portal, Application application, string name, int createdDaysAgo, int? lastUsedDaysAgo,
        bool disabled = false, int expiresInDays = 200)
    {
        await using var db = portal.CreateDbContext();
        var value = SecretGenerator.NewSecret();
        db.ClientSecrets.Add(new ClientSecret
        {
            ApplicationId = application.Id, Name = name, Hash = value.Hash, Hint = value.Hint, CreatedBy = "tests",
            CreatedAt = December.AddDays(-createdDaysAgo),
            LastUsedAt = lastUsedDaysAgo is { } days ? December.AddDays(-days) : null,
            DisabledAt = disabled ? December.AddDays(-10) : null,
            ExpiresAt = December.AddDays(expiresInDays),
        });
        await db.SaveChangesAsync(Token);
    }
}
