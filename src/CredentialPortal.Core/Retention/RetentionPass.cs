using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Hosting;
using CredentialPortal.Core.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Retention;

/// <summary>
/// Deletes what <see cref="RetentionOptions"/> no longer keeps, once an hour: finished outbox messages, webhook delivery
/// attempts, daily usage counts, credentials long expired (<see cref="ExpiredCredentialCleanup"/>: deleted one by one as a
/// deletion, audited) and, when set, audit events. Each table is walked in primary-key order, which is the order rows were written
/// in, and deleted in ranges of at most <see cref="RetentionOptions.BatchSize"/> rows, one short statement each, so
/// that the token service's writes (last used, assertion replay) and the portal's never wait behind one long delete.
/// The walk stops at the first row young enough to keep: needing no index on the time columns.
/// </summary>
public sealed class RetentionPass(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IOptions<RetentionOptions> options,
    ExpiredCredentialCleanup expiredCredentials,
    TimeProvider time,
    ILogger<RetentionPass> logger)
    : PeriodicBackgroundService(TimeSpan.FromHours(1), time)
{
    private readonly record struct Row(long Id, DateTime At);

    private sealed record Table(
        string Name,
        Func<CredentialPortalDbContext, long, int, CancellationToken, Task<List<Row>>> ReadAfter,
        Func<CredentialPortalDbContext, long, long, CancellationToken, Task<int>> DeleteRange);

    private static readonly Table SentMessages = new(
        "sent messages",
        (db, after, count, ct) => db.OutboxMessages.Where(m => m.Id > after).OrderBy(m => m.Id).Take(count)
            .Select(m => new Row(m.Id, m.CreatedAt)).ToListAsync(ct),
        (db, after, upTo, ct) => db.OutboxMessages.Where(m => m.Id > after && m.Id <= upTo && m.Status != OutboxStatus.Pending)
            .ExecuteDeleteAsync(ct));

    private static readonly Table WebhookDeliveries = new(
        "webhook delivery attempts",
        (db, after, count, ct) => db.WebhookDeliveries.Where(d => d.Id > after).OrderBy(d => d.Id).Take(count)
            .Select(d => new Row(d.Id, d.AttemptedAt)).ToListAsync(ct),
        (db, after, upTo, ct) => db.WebhookDeliveries.Where(d => d.Id > after && d.Id <= upTo).ExecuteDeleteAsync(ct));

    // A usage row is created by the first count of its day, so rows are written in day order too; its "time" is the day's start.
    private static readonly Table UsageCounts = new(
        "daily usage counts",
        async (db, after, count, ct) => (await db.UsageCounts.Where(u => u.Id > after).OrderBy(u => u.Id).Take(count)
                .Select(u => new { u.Id, u.Day }).ToListAsync(ct))
            .ConvertAll(u => new Row(u.Id, u.Day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc))),
        (db, after, upTo, ct) => db.UsageCounts.Where(u => u.Id > after && u.Id <= upTo).ExecuteDeleteAsync(ct));

    private static readonly Table AuditEvents = new(
        "audit events",
        (db, after, count, ct) => db.AuditEvents.Where(e => e.Id > after).OrderBy(e => e.Id).Take(count)
            .Select(e => new Row(e.Id, e.OccurredAt)).ToListAsync(ct),
        (db, after, upTo, ct) => db.AuditEvents.Where(e => e.Id > after && e.Id <= upTo).ExecuteDeleteAsync(ct));

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            await PruneAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be down or failing over: what was not deleted now is deleted by a later pass.
            logger.LogWarning(ex, "Pruning old records failed; the next pass, in an hour, tries again");
        }
    }

    /// <summary>One pass over every table; returns the rows deleted per table name.</summary>
    public async Task<IReadOnlyDictionary<string, int>> PruneAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var now = Time.GetUtcNow().UtcDateTime;
        var deleted = new Dictionary<string, int>
        {
            [SentMessages.Name] = await PruneAsync(SentMessages, now - settings.SentMessages, settings.BatchSize, cancellationToken),
            [WebhookDeliveries.Name] = await PruneAsync(WebhookDeliveries, now - settings.WebhookDeliveries, settings.BatchSize, cancellationToken),
            [UsageCounts.Name] = await PruneAsync(UsageCounts, now - settings.UsageCounts, settings.BatchSize, cancellationToken),
            ["expired credentials"] = await expiredCredentials.DeleteAsync(now - settings.ExpiredCredentials, settings.ExpiredCredentials, cancellationToken),
        };
        if (settings.AuditEvents is { } keepAudit)
        {
            deleted[AuditEvents.Name] = await PruneAsync(AuditEvents, now - keepAudit, settings.BatchSize, cancellationToken);
        }

        foreach (var (name, count) in deleted.Where(d => d.Value > 0))
        {
            logger.LogInformation("Retention deleted {Count} {Records} past their retention period", count, name);
        }

        return deleted;
    }

    private async Task<int> PruneAsync(Table table, DateTime olderThan, int batchSize, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var after = 0L;
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var page = await table.ReadAfter(db, after, batchSize, cancellationToken);
            // Rows are read in the order they were written; the first one to keep ends the walk. (Instances' clocks may
            // differ by a little: a row out of order is deleted by the pass after.)
            var old = page.TakeWhile(r => r.At < olderThan).ToList();
            if (old.Count == 0)
            {
                return deleted;
            }

            deleted += await table.DeleteRange(db, after, old[^1].Id, cancellationToken);
            after = old[^1].Id;
            if (old.Count < page.Count || page.Count < batchSize)
            {
                return deleted;
            }
        }
    }
}
