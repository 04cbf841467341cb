using System.Collections.Concurrent;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.TokenService.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Throttling;

/// <summary>
/// Audits failed client authentication aggregated: failures are counted in memory per client_id and reason and
/// written as at most one <see cref="AuditEventTypes.TokenAuthenticationFailed"/> row per pair per flush interval,
/// with the count, the time span and the last remote address in the details. Distinct pairs per interval are capped:
/// failures beyond the cap are only counted and written as one summary row, so a flood of made-up client_ids can
/// neither flood the audit table nor grow this tally. The presented secret is never recorded. During a database
/// outage the tallies stay in memory under the same cap — at most 500 pairs plus one count, however long it lasts —
/// and are written, with counts and times spanning the outage, when the database is back.
/// </summary>
public sealed class AuthenticationFailureAudit(
    IServiceScopeFactory scopes,
    IOptions<TokenServiceOptions> options,
    TimeProvider time,
    ILogger<AuthenticationFailureAudit> logger,
    TokenServiceMetrics metrics)
    : PeriodicFlushService<AuthenticationFailureAudit.Batch>(TimeSpan.FromSeconds(options.Value.FailedAuthentication.AuditFlushSeconds), time, logger)
{
    private const int MaxPairsPerFlush = 500;

    private ConcurrentDictionary<(string ClientId, string Reason), Tally> _tallies = new();
    private long _untallied;

    public void Record(string clientId, string reason, string? remoteAddress, int? applicationId, int? organisationId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        metrics.AuthenticationFailed(reason);
        var now = Time.GetUtcNow().UtcDateTime;
        var key = (clientId, reason);
        if (!_tallies.TryGetValue(key, out var tally))
        {
            // Checked before adding, so concurrent first failures may overshoot the cap by a few pairs, never more.
            if (_tallies.Count >= MaxPairsPerFlush)
            {
                Interlocked.Increment(ref _untallied);
                return;
            }

            tally = _tallies.GetOrAdd(key, static (_, at) => new Tally { First = at }, now);
        }

        lock (tally)
        {
            tally.Count++;
            tally.Last = now;
            tally.RemoteAddress = remoteAddress;
            tally.ApplicationId = applicationId;
            tally.OrganisationId = organisationId;
        }
    }

    protected override string BatchDescription => "aggregated token authentication failures to the audit log";

    protected override Batch? TakeBatch()
    {
        var tallies = Interlocked.Exchange(ref _tallies, new ConcurrentDictionary<(string, string), Tally>());
        var untallied = Interlocked.Exchange(ref _untallied, 0);
        return tallies.IsEmpty && untallied == 0 ? null : new Batch(tallies, untallied);
    }

    protected override async Task WriteAsync(Batch batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        foreach (var ((clientId, reason), tally) in batch.Tallies)
        {
            audit.Add(AuditEventTypes.TokenAuthenticationFailed,
                new AuditActor(clientId, RemoteAddress: tally.RemoteAddress),
                $"client_id={clientId} reason={reason} count={tally.Count} first={tally.First:O} last={tally.Last:O}",
                organisationId: tally.OrganisationId, applicationId: tally.ApplicationId);
        }

        if (batch.Untallied > 0)
        {
            audit.Add(AuditEventTypes.TokenAuthenticationFailed, AuditActor.System,
                $"reason=many_client_ids count={batch.Untallied} (failures beyond {MaxPairsPerFlush} distinct client_id and reason pairs)");
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    protected override void Restore(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var untallied = batch.Untallied;
        var tallies = _tallies;
        foreach (var (key, kept) in batch.Tallies)
        {
            // A pair that failed again meanwhile is merged into; a new one counts against the cap like any other.
            if (!tallies.TryGetValue(key, out var current) && tallies.Count >= MaxPairsPerFlush)
            {
                untallied += kept.Count;
                continue;
            }

            current ??= tallies.GetOrAdd(key, kept);
            if (!ReferenceEquals(current, kept))
            {
                lock (current)
                {
                    current.Count += kept.Count;
                    current.First = kept.First < current.First ? kept.First : current.First;
                }
            }
        }

        Interlocked.Add(ref _untallied, untallied);
    }

    /// <summary>Tallies taken for one write, and the failures beyond the cap.</summary>
    public sealed class Batch
    {
        internal Batch(ConcurrentDictionary<(string ClientId, string Reason), Tally> tallies, long untallied)
        {
            Tallies = tallies;
            Untallied = untallied;
        }

        internal ConcurrentDictionary<(string ClientId, string Reason), Tally> Tallies { get; }
        internal long Untallied { get; }
    }

    internal sealed class Tally
    {
        public int Count { get; set; }
        public DateTime First { get; set; }
        public DateTime Last { get; set; }
        public string? RemoteAddress { get; set; }
        public int? ApplicationId { get; set; }
        public int? OrganisationId { get; set; }
    }
}
