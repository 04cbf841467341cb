using System.Collections.Concurrent;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Clients;

/// <summary>
/// "Last used" per credential (secret or key) and per application, remembered in memory on every token and written in batches every few
/// seconds and at shutdown, so the token endpoint never writes to the database per request. The buffer holds one time
/// per credential and application that obtained a token (the latest), so it is bounded by the store's size however long
/// a database outage lasts; what an outage kept back is written when the database is back. Each flush also applies
/// rotations' "expire a set time after the replacement is first used" (<see cref="CredentialRotation.ApplyFirstUseAsync"/>)
/// and has this instance reload the clients whose credentials that shortened.
/// </summary>
public sealed class UsageRecorder(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    ClientCache clients,
    IOptions<TokenServiceOptions> options,
    TimeProvider time,
    ILogger<UsageRecorder> logger)
    : PeriodicFlushService<UsageRecorder.Batch>(TimeSpan.FromSeconds(options.Value.LastUsedFlushSeconds), time, logger)
{
    private ConcurrentDictionary<int, DateTime> _credentials = new();
    private ConcurrentDictionary<int, DateTime> _applications = new();

    public void Record(int applicationId, int credentialId, DateTime now)
    {
        _credentials[credentialId] = now;
        _applications[applicationId] = now;
    }

    protected override string BatchDescription => "last-used times";

    protected override Batch? TakeBatch()
    {
        var credentials = Interlocked.Exchange(ref _credentials, new ConcurrentDictionary<int, DateTime>());
        var applications = Interlocked.Exchange(ref _applications, new ConcurrentDictionary<int, DateTime>());
        return credentials.IsEmpty && applications.IsEmpty ? null : new Batch(credentials, applications);
    }

    protected override async Task WriteAsync(Batch batch, CancellationToken cancellationToken)
    {
        // Each update only moves a time forward, so writing a batch again after a partial failure is harmless.
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var (id, usedAt) in batch.Credentials)
        {
            await db.ClientCredentials.Where(s => s.Id == id && (s.LastUsedAt == null || s.LastUsedAt < usedAt))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastUsedAt, usedAt), cancellationToken);
        }

        foreach (var (id, usedAt) in batch.Applications)
        {
            await db.Applications.Where(a => a.Id == id && (a.LastUsedAt == null || a.LastUsedAt < usedAt))
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.LastUsedAt, usedAt), cancellationToken);
        }

        // Other instances reload them from the change log that the same save writes.
        if (await CredentialRotation.ApplyFirstUseAsync(db, batch.Credentials, Time, cancellationToken) is { Count: > 0 } shortened)
        {
            await db.SaveChangesAsync(cancellationToken);
            clients.Evict(shortened);
        }
    }

    protected override void Restore(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Merge(_credentials, batch.Credentials);
        Merge(_applications, batch.Applications);
    }

    private static void Merge(ConcurrentDictionary<int, DateTime> into, ConcurrentDictionary<int, DateTime> kept)
    {
        foreach (var (id, usedAt) in kept)
        {
            into.AddOrUpdate(id, usedAt, (_, current) => current > usedAt ? current : usedAt);
        }
    }

    public sealed record Batch(ConcurrentDictionary<int, DateTime> Credentials, ConcurrentDictionary<int, DateTime> Applications);
}
