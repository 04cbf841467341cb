using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Clients;

/// <summary>
/// Counts tokens per credential and failed authentications per reason, per application and UTC day, in memory, and adds
/// the counts to <see cref="UsageCount"/> rows on the "last used" timer and at shutdown (<see cref="PeriodicFlushService{TBatch}"/>):
/// no database write per token. Each counter is only ever incremented by requests and swapped to zero by the flush
/// (both atomic), so no count is lost between them; a batch is written in one transaction, so an outage either writes
/// all of it or gives all of it back. Counters are kept per day; a day's counter is dropped once it is two days old and
/// flushed, so the memory is bounded by the credentials used in two days.
/// </summary>
public sealed class UsageCounter(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IOptions<TokenServiceOptions> options,
    TimeProvider time,
    ILogger<UsageCounter> logger)
    : PeriodicFlushService<IReadOnlyList<UsageCounter.Counted>>(TimeSpan.FromSeconds(options.Value.LastUsedFlushSeconds), time, logger)
{
    /// <summary>What one counter counts: a credential's tokens (reason empty) or an application's failures for one reason (credential 0).</summary>
    public readonly record struct Key(DateOnly Day, int ApplicationId, int CredentialId, string FailureReason);

    public sealed record Counted(Key Key, long Count);

    private readonly ConcurrentDictionary<Key, StrongBox<long>> _counters = new();

    public void TokenIssued(int applicationId, int credentialId, DateTime now) =>
        Increment(new Key(DateOnly.FromDateTime(now), applicationId, credentialId, ""));

    /// <summary>A failed authentication of a known application (reasons are the authenticator's fixed names).</summary>
    public void AuthenticationFailed(int applicationId, string reason, DateTime now) =>
        Increment(new Key(DateOnly.FromDateTime(now), applicationId, 0, reason.Length > UsageCount.MaxReasonLength ? reason[..UsageCount.MaxReasonLength] : reason));

    private void Increment(Key key) =>
        Interlocked.Increment(ref _counters.GetOrAdd(key, static _ => new StrongBox<long>()).Value);

    protected override string BatchDescription => "token and failure counts";

    protected override IReadOnlyList<Counted>? TakeBatch()
    {
        // A request that read the clock just before midnight may still count on yesterday's counter: only older ones go.
        var dropBefore = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime).AddDays(-1);
        var batch = new List<Counted>();
        foreach (var (key, counter) in _counters)
        {
            var count = Interlocked.Exchange(ref counter.Value, 0);
            if (count > 0)
            {
                batch.Add(new Counted(key, count));
            }
            else if (key.Day < dropBefore)
            {
                _counters.TryRemove(key, out _);
            }
        }

        return batch.Count == 0 ? null : batch;
    }

    protected override void Restore(IReadOnlyList<Counted> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var (key, count) in batch)
        {
            Interlocked.Add(ref _counters.GetOrAdd(key, static _ => new StrongBox<long>()).Value, count);
        }
    }

    protected override async Task WriteAsync(IReadOnlyList<Counted> batch, CancellationToken cancellationToken)
    {
        // Another instance may insert a day's row between our update and our insert: the unique index refuses ours, the
        // transaction rolls back, and the second attempt adds to the row that now exists.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await AddCountsAsync(batch, cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
            }
        }
    }

    private async Task AddCountsAsync(IReadOnlyList<Counted> batch, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var (key, count) in batch)
        {
            var updated = await db.UsageCounts
                .Where(u => u.ApplicationId == key.ApplicationId && u.Day == key.Day && u.CredentialId == key.CredentialId
                    && u.FailureReason == key.FailureReason)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Count, x => x.Count + count), cancellationToken);
            if (updated == 0)
            {
                db.UsageCounts.Add(new UsageCount
                {
                    Day = key.Day,
                    ApplicationId = key.ApplicationId,
                    CredentialId = key.CredentialId,
                    FailureReason = key.FailureReason,
                    Count = count,
                });
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
