using CredentialPortal.Core.Data;
using CredentialPortal.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Clients;

/// <summary>
/// Polls the credential change log by id and evicts the named applications from <see cref="ClientCache"/>, which is
/// how a change made through any instance reaches every instance sharing the database within a poll interval.
/// Ids are handed out before commit, so on PostgreSQL a lower id can become visible after a higher one: a missing id
/// is waited for (rows above it are reread but evicted once) until it is a few seconds old, then written off as a
/// rolled-back transaction. Also prunes rows older than an hour.
/// </summary>
public sealed partial class CredentialChangePoller(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    ClientCache cache,
    IOptions<TokenServiceOptions> options,
    TimeProvider time,
    ILogger<CredentialChangePoller> logger)
    : PeriodicBackgroundService(TimeSpan.FromMilliseconds(options.Value.ChangePollMilliseconds), time)
{
    private static readonly TimeSpan GapPatience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);
    private const int BatchSize = 1000;

    private readonly HashSet<long> _seenAboveWatermark = [];
    private readonly Dictionary<long, long> _gapFirstSeen = [];
    private long? _watermark;
    private long _lastPrune;

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PollAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be briefly unreachable or not yet migrated; keep polling. A cached client stays
            // trusted for at most ClientCacheMaxAgeSeconds meanwhile (plus ClientCacheStaleIfErrorSeconds in an
            // outage). Missing ids get their full patience again once the database answers: a transaction of another
            // instance may still commit them, and the time this instance could not look is no evidence of a rollback.
            _gapFirstSeen.Clear();
            LogPollFailed(logger, ex);
        }
    }

    /// <summary>One poll: evicts what changed since the last one.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (_watermark is null)
        {
            // Everything before now is already reflected by whatever the cache will load.
            _watermark = await db.CredentialChanges.MaxAsync(c => (long?)c.Id, cancellationToken) ?? 0;
            cache.Clear();
            return;
        }

        var watermark = _watermark.Value;
        var rows = await db.CredentialChanges.AsNoTracking()
            .Where(c => c.Id > watermark)
            .OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.ApplicationId })
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        var fresh = rows.Where(r => _seenAboveWatermark.Add(r.Id)).Select(r => r.ApplicationId).ToHashSet();
        if (fresh.Count > 0)
        {
            cache.Evict(fresh);
        }

        AdvanceWatermark(rows.Count > 0 ? rows[^1].Id : watermark);
        await PruneAsync(db, cancellationToken);
    }

    private void AdvanceWatermark(long highest)
    {
        var now = Time.GetTimestamp();
        var watermark = _watermark!.Value;
        for (var id = watermark + 1; id <= highest; id++)
        {
            if (_seenAboveWatermark.Remove(id))
            {
                watermark = id;
                continue;
            }

            if (!_gapFirstSeen.TryGetValue(id, out var since))
            {
                _gapFirstSeen[id] = now;
                break;
            }

            if (Time.GetElapsedTime(since, now) < GapPatience)
            {
                break;
            }

            _gapFirstSeen.Remove(id);
            watermark = id;
        }

        _watermark = watermark;
        foreach (var stale in _gapFirstSeen.Keys.Where(k => k <= watermark).ToList())
        {
            _gapFirstSeen.Remove(stale);
        }
    }

    private async Task PruneAsync(CredentialPortalDbContext db, CancellationToken cancellationToken)
    {
        var now = Time.GetTimestamp();
        if (_lastPrune != 0 && Time.GetElapsedTime(_lastPrune, now) < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastPrune = now;
        var cutoff = Time.GetUtcNow().UtcDateTime - Retention;
        await db.CredentialChanges.Where(c => c.ChangedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling the credential change log failed; retrying.")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
