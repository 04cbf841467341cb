using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Retention;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>What only grows is pruned in batches after its retention period (issue 31, item 4).</summary>
public sealed class RetentionTests
{
    private static readonly TimeSpan Later = TimeSpan.FromDays(400);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Finished_messages_delivery_attempts_and_audit_events_past_their_retention_are_deleted_in_batches(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        var endpointId = await SeedAsync(portal);

        var settings = new RetentionOptions { AuditEvents = TimeSpan.FromDays(365), BatchSize = 100 };
        var deleted = await PassLater(portal, settings).PruneAsync(TestContext.Current.CancellationToken);

        Assert.Equal(251, deleted["sent messages"]);
        Assert.Equal(150, deleted["webhook delivery attempts"]);
        Assert.True(deleted["audit events"] >= 120, $"{deleted["audit events"]} audit events deleted");
        await using var db = portal.CreateDbContext();
        // Kept: the old pending message (never deleted unsent) and everything younger than its retention period.
        Assert.Equal(["old pending", "recent 0", "recent 1", "recent 2"],
            (await db.OutboxMessages.Where(m => m.IdentityKey.StartsWith("retention ")).Select(m => m.IdentityKey).ToListAsync(TestContext.Current.CancellationToken))
            .Select(k => k["retention ".Length..]).Order(StringComparer.Ordinal));
        Assert.Equal(3, await db.WebhookDeliveries.CountAsync(d => d.EndpointId == endpointId, TestContext.Current.CancellationToken));
        var auditCutoff = portal.Time.GetUtcNow().UtcDateTime + Later - settings.AuditEvents.Value;
        Assert.False(await db.AuditEvents.AnyAsync(e => e.OccurredAt < auditCutoff, TestContext.Current.CancellationToken));
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.Actor == "recent@example.org", TestContext.Current.CancellationToken));

        // A second pass finds nothing more.
        Assert.All((await PassLater(portal, settings).PruneAsync(TestContext.Current.CancellationToken)).Values, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task Audit_events_are_kept_unless_the_operator_sets_a_retention()
    {
        await using var portal = await PortalFactory.StartAsync();
        await SeedAsync(portal);
        await using var db = portal.CreateDbContext();
        var auditBefore = await db.AuditEvents.CountAsync(TestContext.Current.CancellationToken);

        var deleted = await PassLater(portal, new RetentionOptions()).PruneAsync(TestContext.Current.CancellationToken);

        Assert.False(deleted.ContainsKey("audit events"));
        Assert.Equal(251, deleted["sent messages"]);
        Assert.Equal(auditBefore, await db.AuditEvents.CountAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>A pass as it would run 400 days after the portal's clock, on the portal's database.</summary>
    private static RetentionPass PassLater(PortalFactory portal, RetentionOptions settings) => new(
        portal.Services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>(),
        Options.Create(settings),
        portal.Services.GetRequiredService<ExpiredCredentialCleanup>(),
        new FakeTimeProvider(portal.Time.GetUtcNow() + Later),
        NullLogger<RetentionPass>.Instance);

    /// <summary>
    /// In the order time would write them: now, 250 sent and one failed message, one pending, 150 delivery attempts and
    /// 120 audit events; 390 days on, three of each. Returns the endpoint the attempts are for.
    /// </summary>
    private static async Task<int> SeedAsync(PortalFactory portal)
    {
        var now = portal.Time.GetUtcNow().UtcDateTime;
        var recent = now + Later - TimeSpan.FromDays(10);
        await using var db = portal.CreateDbContext();
        var endpoint = new WebhookEndpoint
        {
            OrganisationId = await db.Organisations.Select(o => o.Id).FirstAsync(),
            Url = "https://receiver.example/hooks",
            ProtectedSecret = "not used by pruning",
            CreatedAt = now,
            CreatedBy = PortalFactory.AdminEmail,
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync();

        db.OutboxMessages.AddRange(Enumerable.Range(0, 250).Select(i => Message($"old sent {i}", now, OutboxStatus.Sent)));
        db.OutboxMessages.Add(Message("old failed", now, OutboxStatus.Failed));
        db.OutboxMessages.Add(Message("old pending", now, OutboxStatus.Pending));
        db.WebhookDeliveries.AddRange(Enumerable.Range(0, 150).Select(_ => Delivery(endpoint.Id, now)));
        db.AuditEvents.AddRange(Enumerable.Range(0, 120).Select(_ => Audit("old@example.org", now)));
        await db.SaveChangesAsync();
        db.OutboxMessages.AddRange(Enumerable.Range(0, 3).Select(i => Message($"recent {i}", recent, OutboxStatus.Sent)));
        db.WebhookDeliveries.AddRange(Enumerable.Range(0, 3).Select(_ => Delivery(endpoint.Id, recent)));
        db.AuditEvents.AddRange(Enumerable.Range(0, 3).Select(_ => Audit("recent@example.org", recent)));
        await db.SaveChangesAsync();
        return endpoint.Id;
    }

    private static OutboxMessage Message(string name, DateTime createdAt, OutboxStatus status)
    {
        var message = OutboxMessage.ForWebhook(createdAt, "retention " + name, 0, "msg_" + Guid.NewGuid().ToString("N"), "credential.created", "{}", null, null, null);
        message.Status = status;
        // A pending one is not due, so the outbox sender leaves it alone.
        message.NextAttemptAt = status == OutboxStatus.Pending ? createdAt.AddYears(10) : createdAt;
        return message;
    }

    private static WebhookDelivery Delivery(int endpointId, DateTime at) => new()
    {
        EndpointId = endpointId, MessageId = "msg_x", EventType = "credential.created", AttemptedAt = at, Attempt = 1,
        StatusCode = 204, Outcome = WebhookDeliveryOutcome.Delivered,
    };

    private static AuditEvent Audit(string actor, DateTime at) => new() { OccurredAt = at, EventType = AuditEventTypes.LoginSucceeded, Actor = actor };
}
