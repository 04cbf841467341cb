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
    /// <summary>Change-log rows older than this are deleted; a cached client must be reloaded sooner.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);
    private const int BatchSize = 1000;

    private readonly HashSet<long> _seenAboveWatermark = [];
    private readonly Dictionary<long, long> _gapFirstSeen = [];
    private long? _watermark;
    private long _lastPrune;

    /// <summary>The highest change-log id up to which every change has been read (null before the first poll).</summary>
    public long? Watermark => _watermark;

    /// <summary>When the change log was last read successfully (read by the poll-age gauge).</summary>
    public DateTimeOffset? LastPolledAt { get; private set; }

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PollAsync(cancellationToken);
            LastPolledAt = Time.GetUtcNow();
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
            await ReadStartingPointAsync(db, cancellationToken);
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

    /// <summary>
    /// Everything already in the log is reflected by what the cleared cache will load. But ids are handed out before
    /// commit, so a change committing just after this read may carry an id below the highest one seen now: the
    /// watermark therefore starts below the recent rows (which count as seen), and a missing id among them is waited
    /// for like any other gap.
    /// </summary>
    private async Task ReadStartingPointAsync(CredentialPortalDbContext db, CancellationToken cancellationToken)
    {
        var cutoff = Time.GetUtcNow().UtcDateTime - GapPatience;
        var recent = await db.CredentialChanges.Where(c => c.ChangedAt >= cutoff).Select(c => c.Id).ToListAsync(cancellationToken);
        var settled = await db.CredentialChanges.Where(c => c.ChangedAt < cutoff).MaxAsync(c => (long?)c.Id, cancellationToken);
        var watermark = settled ?? (recent.Count > 0 ? recent.Min() - 1 : 0);
        _seenAboveWatermark.UnionWith(recent.Where(id => id > watermark));
        _watermark = watermark;
    }

    /// <summary>
    /// Moves the watermark over seen ids and over gaps older than <see cref="GapPatience"/>, up to the first gap that
    /// is younger. Every gap up to <paramref name="highest"/> is timed from the first poll that saw past it, so a run
    /// of rolled-back ids is written off in one step rather than one gap per patience period.
    /// </summary>
    private void AdvanceWatermark(long highest)
    {
        var now = Time.GetTimestamp();
        var watermark = _watermark!.Value;
        var blocked = false;
        for (var id = watermark + 1; id <= highest; id++)
        {
            var settled = _seenAboveWatermark.Contains(id)
                || (!_gapFirstSeen.TryAdd(id, now) && Time.GetElapsedTime(_gapFirstSeen[id], now) >= GapPatience);
            blocked |= !settled;
            if (!blocked)
            {
                _seenAboveWatermark.Remove(id);
                _gapFirstSeen.Remove(id);
                watermark = id;
            }
        }

        _watermark = watermark;
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
