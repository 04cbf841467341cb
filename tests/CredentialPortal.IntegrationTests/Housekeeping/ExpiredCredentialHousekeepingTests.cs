using System.Globalization;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Retention;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.IntegrationTests.Reminders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Housekeeping;

/// <summary>
/// Issue 35 item 2: credentials of every kind are deleted <c>Retention:ExpiredCredentials</c> after they expired (default
/// 90 days), by the retention service on the injected clock, as a deletion: audited by "system", a
/// <c>credential.deleted</c> webhook, no security email; once, however many instances run.
/// </summary>
public sealed class ExpiredCredentialHousekeepingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Expired_credentials_of_every_kind_are_deleted_90_days_after_expiry_not_before_audited_with_a_webhook_and_no_email(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var walk = await ReminderWalk.StartAsync(provider);
        var application = await walk.AddApplicationAsync("expired");
        await AddWebhookEndpointAsync(walk, application);
        var expiry = walk.Now.AddDays(10);
        var secret = await walk.AddSecretAsync(application, "Expiring secret", expiry);
        var key = await AddKeyAsync(walk, application, expiry);
        var federated = await AddFederatedIdentityAsync(walk, application, expiry);
        var noReviewDate = await AddFederatedIdentityAsync(walk, application, FederatedIdentity.NoReviewDate);
        var current = await walk.AddSecretAsync(application, "Current secret", walk.Now.AddDays(300));
        int[] expired = [secret.Id, key.Id, federated.Id];

        // 90 days after the expiry less half an hour: still listed, nothing deleted.
        await walk.Portal.RunNextPassAsync<RetentionPass>(expiry.AddDays(90).AddMinutes(-30) - walk.Now);
        Assert.Equal(5, await CountAsync(walk, application));

        // The next hourly pass, half an hour past the 90 days: the three expired ones are gone.
        await walk.Portal.RunNextPassAsync<RetentionPass>();
        await using var db = walk.Portal.CreateDbContext();
        Assert.Equal(new[] { current.Id, noReviewDate.Id }.Order(),
            (await db.ClientCredentials.Where(c => c.ApplicationId == application.Id).Select(c => c.Id).ToListAsync(Token)).Order());
        var deletions = await db.AuditEvents.Where(e => e.ApplicationId == application.Id
                && (e.EventType == AuditEventTypes.SecretDeleted || e.EventType == AuditEventTypes.KeyDeleted || e.EventType == AuditEventTypes.FederatedIdentityDeleted))
            .ToListAsync(Token);
        Assert.Equal(expired.Order(), deletions.Select(e => e.CredentialId!.Value).Order());
        Assert.All(deletions, e =>
        {
            Assert.Equal("system", e.Actor);
            Assert.Contains("deleted 90 days after it expired at " + Core.PortalText.Time(expiry), e.Details, StringComparison.Ordinal);
            Assert.Contains("(Retention:ExpiredCredentials)", e.Details, StringComparison.Ordinal);
        });
        Assert.Equal(expired.Order(), (await db.OutboxMessages
                .Where(m => m.Channel == OutboxChannel.Webhook && m.WebhookEventType == WebhookEventTypes.CredentialDeleted)
                .Select(m => m.CredentialId!.Value).ToListAsync(Token)).Order());
        // Nothing that obtained tokens changed: no security email, and none queued to say so.
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.ApplicationId == application.Id && m.EmailKind == EmailKind.SecurityNotification, Token));
        Assert.False(await db.AuditEvents.AnyAsync(e => e.ApplicationId == application.Id && e.EventType == AuditEventTypes.NotificationQueued, Token));

        // The history shows who deleted them: CredentialDeletion reads the same audit event.
        var deletion = await CredentialDeletion.FindAsync(db, application.Id, CredentialKind.Key, key.Id, Token);
        Assert.Equal("system", deletion?.DeletedBy);

        // A later pass finds nothing more.
        var again = await walk.Portal.BackgroundService<RetentionPass>().PruneAsync(Token);
        Assert.Equal(0, again["expired credentials"]);
    }

    [Fact]
    public async Task The_operator_sets_the_retention_in_days()
    {
        await using var walk = await ReminderWalk.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Retention:ExpiredCredentials"] = "30.00:00:00",
            // Passes are run by the test, on the clock it sets.
            ["Retention:Enabled"] = "false",
        });
        var application = await walk.AddApplicationAsync("thirty");
        var secret = await walk.AddSecretAsync(application, "Expiring", walk.Now.AddDays(1));
        var pass = walk.Portal.BackgroundService<RetentionPass>();

        walk.Time.SetUtcNow(walk.Now.AddDays(31) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await pass.PruneAsync(Token))["expired credentials"]);
        walk.Time.SetUtcNow(walk.Now.AddMinutes(2));
        Assert.Equal(1, (await pass.PruneAsync(Token))["expired credentials"]);
        await using var db = walk.Portal.CreateDbContext();
        Assert.False(await db.ClientCredentials.AnyAsync(c => c.Id == secret.Id, Token));
        Assert.Contains("deleted 30 days after it expired", (await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.SecretDeleted, Token)).Details,
            StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Two_instances_cleaning_up_at_once_delete_and_audit_each_credential_once(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var walk = await ReminderWalk.StartAsync(provider, new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });
        const int Credentials = 40;
        var application = await walk.AddApplicationAsync("concurrent");
        await AddWebhookEndpointAsync(walk, application);
        for (var i = 0; i < Credentials; i++)
        {
            await walk.AddSecretAsync(application, "Expired " + i.ToString(CultureInfo.InvariantCulture), walk.Now.AddDays(1));
        }

        walk.Time.SetUtcNow(walk.Now.AddDays(92));
        var expiredBefore = walk.Now.AddDays(-90);
        // Two instances: separate cleanup objects sharing only the database.
        var instances = Enumerable.Range(0, 2).Select(_ => ActivatorUtilities.CreateInstance<ExpiredCredentialCleanup>(walk.Portal.Services)).ToList();
        var deleted = await Task.WhenAll(instances.Select(i => Task.Run(() => i.DeleteAsync(expiredBefore, TimeSpan.FromDays(90), Token), Token)));

        Assert.Equal(Credentials, deleted.Sum());
        await using var db = walk.Portal.CreateDbContext();
        Assert.Equal(0, await CountAsync(walk, application));
        Assert.Equal(Credentials, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.SecretDeleted, Token));
        Assert.Equal(Credentials, await db.OutboxMessages.CountAsync(m => m.WebhookEventType == WebhookEventTypes.CredentialDeleted, Token));
    }

    private static async Task<int> CountAsync(ReminderWalk walk, Application application)
    {
        await using var db = walk.Portal.CreateDbContext();
        return await db.ClientCredentials.CountAsync(c => c.ApplicationId == application.Id, Token);
    }

    private static async Task AddWebhookEndpointAsync(ReminderWalk walk, Application application)
    {
        await using var db = walk.Portal.CreateDbContext();
        db.WebhookEndpoints.Add(new WebhookEndpoint
        {
            ApplicationId = application.Id, Url = "https://hooks.example/housekeeping", ProtectedSecret = "x", CreatedAt = walk.Now, CreatedBy = "tests",
        });
        await db.SaveChangesAsync(Token);
    }

    private static async Task<ClientKey> AddKeyAsync(ReminderWalk walk, Application application, DateTime expiresAt)
    {
        await using var db = walk.Portal.CreateDbContext();
        var key = new ClientKey
        {
            ApplicationId = application.Id, Name = "Expiring key", Hint = "thumbprint-" + Guid.NewGuid().ToString("N")[..8],
            PublicJwk = """{"kty":"EC","crv":"P-256","x":"x","y":"y"}""", KeyDescription = "EC P-256",
            CreatedAt = walk.Now, CreatedBy = "tests", ExpiresAt = expiresAt,
        };
        db.ClientKeys.Add(key);
        await db.SaveChangesAsync(Token);
        return key;
    }

    private static async Task<FederatedIdentity> AddFederatedIdentityAsync(ReminderWalk walk, Application application, DateTime reviewBy)
    {
        await using var db = walk.Portal.CreateDbContext();
        var subject = "repo:partner/deploy:" + Guid.NewGuid().ToString("N")[..8];
        var identity = new FederatedIdentity
        {
            ApplicationId = application.Id, Name = "Deploy workflow", Hint = subject, Issuer = "https://token.actions.githubusercontent.com",
            Subject = subject, Audience = "api://credential-portal", CreatedAt = walk.Now, CreatedBy = "tests", ExpiresAt = reviewBy,
        };
        db.FederatedIdentities.Add(identity);
        await db.SaveChangesAsync(Token);
        return identity;
    }
}
