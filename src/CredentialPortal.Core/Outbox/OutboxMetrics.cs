using System.Diagnostics.Metrics;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Outbox;

/// <summary>
/// The outbox's meter (<see cref="MeterName"/>): delivery attempts by kind (an email's kind — reminder, invitation, … —
/// or <c>Webhook</c>) and outcome, and the age of the oldest message still waiting, as seen by this instance's last pass.
/// Attributes are the kind and the outcome only, never a recipient, a subject or an endpoint.
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

    public void Delivered(OutboxMessage message, string outcome)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Webhooks keep the kind "Webhook" they had when they were a pseudo-kind of email, so dashboards keep working.
        var kind = message.Channel == OutboxChannel.Email ? message.EmailKind.ToString() : message.Channel.ToString();
        _deliveries.Add(1, new("kind", kind), new("outcome", outcome));
    }

    /// <summary>Called at the end of each pass: notes when the oldest message still pending was queued (one indexed MIN).</summary>
    public async Task ObserveQueueAsync(IDbContextFactory<CredentialPortalDbContext> contexts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        _oldestPendingCreatedAt = await db.OutboxMessages.Where(e => e.Status == OutboxStatus.Pending)
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
