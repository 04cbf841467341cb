using System.Diagnostics.Metrics;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Email.Outbox;

/// <summary>
/// The outbox's meter (<see cref="MeterName"/>): delivery attempts by kind (reminder, invitation, …) and outcome, and
/// the age of the oldest email still waiting, as seen by this instance's last pass. Attributes are the kind and the
/// outcome only, never a recipient or a subject.
/// </summary>
public sealed class OutboxMetrics
{
    public const string MeterName = "CredentialPortal.Outbox";

    private readonly Counter<long> _deliveries;
    private readonly TimeProvider _time;
    private DateTime? _oldestPendingCreatedAt;
    private bool _observed;

    public OutboxMetrics(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _time = time;
        var meter = meters.Create(MeterName);
        _deliveries = meter.CreateCounter<long>("credentialportal.outbox.deliveries", "{attempt}",
            "Outbox delivery attempts by kind and outcome: sent, retrying (a transient failure, tried again later), failed (given up) or dropped (no longer due).");
        meter.CreateObservableGauge("credentialportal.outbox.oldest_pending_age", ObserveQueueAge, "s",
            "Age of the oldest outbox message still pending after this instance's last pass (0 when none); grows while delivery is stuck.");
    }

    public void Delivered(OutboxEmailKind kind, string outcome) =>
        _deliveries.Add(1, new("kind", kind.ToString()), new("outcome", outcome));

    /// <summary>Called at the end of each pass: notes when the oldest message still pending was queued (one indexed MIN).</summary>
    public async Task ObserveQueueAsync(IDbContextFactory<CredentialPortalDbContext> contexts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        _oldestPendingCreatedAt = await db.OutboxEmails.Where(e => e.Status == OutboxEmailStatus.Pending)
            .MinAsync(e => (DateTime?)e.CreatedAt, cancellationToken);
        _observed = true;
    }

    private IEnumerable<Measurement<double>> ObserveQueueAge()
    {
        if (!_observed)
        {
            return [];
        }

        var oldest = _oldestPendingCreatedAt;
        return [new Measurement<double>(oldest is null ? 0 : Math.Max(0, (_time.GetUtcNow().UtcDateTime - oldest.Value).TotalSeconds))];
    }
}
