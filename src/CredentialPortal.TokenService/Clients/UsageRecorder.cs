using System.Collections.Concurrent;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Clients;

/// <summary>
/// "Last used" per secret and per application, remembered in memory on every token and written in batches every few
/// seconds and at shutdown, so the token endpoint never writes to the database per request.
/// </summary>
public sealed class UsageRecorder(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IOptions<TokenServiceOptions> options,
    TimeProvider time,
    ILogger<UsageRecorder> logger) : PeriodicFlushService(TimeSpan.FromSeconds(options.Value.LastUsedFlushSeconds), time, logger)
{
    private ConcurrentDictionary<int, DateTime> _secrets = new();
    private ConcurrentDictionary<int, DateTime> _applications = new();

    public void Record(int applicationId, int secretId, DateTime now)
    {
        _secrets[secretId] = now;
        _applications[applicationId] = now;
    }

    /// <summary>Writes what was recorded since the last flush.</summary>
    protected override string BatchDescription => "last-used times";

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var secrets = Interlocked.Exchange(ref _secrets, new ConcurrentDictionary<int, DateTime>());
        var applications = Interlocked.Exchange(ref _applications, new ConcurrentDictionary<int, DateTime>());
        if (secrets.IsEmpty && applications.IsEmpty)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var (id, usedAt) in secrets)
        {
            await db.ClientSecrets.Where(s => s.Id == id && (s.LastUsedAt == null || s.LastUsedAt < usedAt))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastUsedAt, usedAt), cancellationToken);
        }

        foreach (var (id, usedAt) in applications)
        {
            await db.Applications.Where(a => a.Id == id && (a.LastUsedAt == null || a.LastUsedAt < usedAt))
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.LastUsedAt, usedAt), cancellationToken);
        }
    }

}
