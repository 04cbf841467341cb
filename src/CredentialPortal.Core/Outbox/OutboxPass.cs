using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Outbox;

/// <summary>What one pass did.</summary>
public sealed record OutboxPassResult(int Sent, int Retrying, int Failed, int Dropped);

/// <summary>A last look before a message goes out, e.g. whether a reminder is still due. Registered per feature.</summary>
public interface IOutboxDeliveryCheck
{
    /// <summary>Null when <paramref name="message"/> should still be sent; otherwise why not (it is then dropped unsent).</summary>
    Task<string?> ReasonToDropAsync(CredentialPortalDbContext db, OutboxMessage message, DateTime now, CancellationToken cancellationToken);
}

/// <summary>
/// One pass of the outbox sender: lease each due message with a conditional update (only one instance wins it, on every
/// provider), hand it to the sender of its channel (<see cref="IOutboxChannel"/>) while a side task renews the lease,
/// and mark it sent the moment the receiver accepted it — for email before the SMTP QUIT — so a crash can only repeat a
/// message in the few milliseconds between acceptance and that commit. Transient failures are retried with exponential
/// back-off; permanent ones are marked failed and audited. Only messages of the channels registered here are leased.
/// </summary>
public sealed partial class OutboxPass(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IEnumerable<IOutboxChannel> channels,
    IEnumerable<IOutboxDeliveryCheck> checks,
    TimeProvider time,
    IOptions<EmailOptions> email,
    ILogger<OutboxPass> logger,
    OutboxMetrics metrics)
{
    private readonly OutboxOptions _options = email.Value.Outbox;
    private readonly Dictionary<OutboxChannel, IOutboxChannel> _channels = channels.ToDictionary(c => c.Channel);

    private enum Outcome
    {
        NotMine,
        Sent,
        Retrying,
        Failed,
        Dropped,
    }

    public async Task<OutboxPassResult> RunAsync(CancellationToken cancellationToken = default)
    {
        // Unique per pass, so that even two passes in one process hold separate leases.
        var owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        var counts = new Dictionary<Outcome, int>();
        long afterId = 0;
        while (true)
        {
            var now = time.GetUtcNow().UtcDateTime;
            List<long> ids;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                ids = await Due(db, now).Where(e => e.Id > afterId).OrderBy(e => e.Id).Select(e => e.Id)
                    .Take(_options.BatchSize).ToListAsync(cancellationToken);
            }

            foreach (var id in ids)
            {
                var outcome = await DeliverAsync(id, owner, cancellationToken);
                counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            }

            if (ids.Count < _options.BatchSize)
            {
                await metrics.ObserveQueueAsync(contexts, cancellationToken);
                return new OutboxPassResult(counts.GetValueOrDefault(Outcome.Sent), counts.GetValueOrDefault(Outcome.Retrying),
                    counts.GetValueOrDefault(Outcome.Failed), counts.GetValueOrDefault(Outcome.Dropped));
            }

            afterId = ids[^1];
        }
    }

    private IQueryable<OutboxMessage> Due(CredentialPortalDbContext db, DateTime now)
    {
        // A message of a channel this instance cannot send stays for an instance that can, instead of failing here.
        var sendable = _channels.Keys.ToList();
        return db.OutboxMessages.Where(e => e.Status == OutboxStatus.Pending && e.NextAttemptAt <= now
            && (e.ClaimedUntil == null || e.ClaimedUntil <= now) && sendable.Contains(e.Channel));
    }

    private async Task<Outcome> DeliverAsync(long id, string owner, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var leaseUntil = now + _options.ClaimLease;

        // The lease: a conditional update that only one instance can win, also on PostgreSQL under concurrency
        // (READ COMMITTED re-checks the condition after waiting for the other writer).
        var leased = await Due(db, now).Where(e => e.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedBy, owner).SetProperty(e => e.ClaimedUntil, leaseUntil), cancellationToken);
        if (leased != 1)
        {
            return Outcome.NotMine;
        }

        var message = await db.OutboxMessages.SingleAsync(e => e.Id == id, cancellationToken);
        foreach (var check in checks)
        {
            if (await check.ReasonToDropAsync(db, message, now, cancellationToken) is { } reason)
            {
                message.Status = OutboxStatus.Dropped;
                message.LastError = reason;
                message.ClaimedBy = null;
                message.ClaimedUntil = null;
                await db.SaveChangesAsync(CancellationToken.None);
                LogDropped(message.Channel, message.IdentityKey, reason);
                metrics.Delivered(message, "dropped");
                return Outcome.Dropped;
            }
        }

        message.Attempts++;
        var failure = await SendAsync(db, message, owner, cancellationToken);
        if (failure is null)
        {
            return Outcome.Sent;
        }

        var after = time.GetUtcNow().UtcDateTime;
        message.ClaimedBy = null;
        message.ClaimedUntil = null;
        message.LastError = failure.Message.Length > OutboxMessage.MaxLastErrorLength ? failure.Message[..OutboxMessage.MaxLastErrorLength] : failure.Message;
        Outcome outcome;
        if (failure.IsTransient && message.Attempts < _options.MaxAttempts)
        {
            message.NextAttemptAt = after + _options.RetryDelay(message.Attempts);
            outcome = Outcome.Retrying;
            LogRetrying(message.Channel, message.IdentityKey, message.Attempts, message.NextAttemptAt, failure.Message);
            metrics.Delivered(message, "retrying");
        }
        else
        {
            message.Status = OutboxStatus.Failed;
            AuditFailure(db, message, failure.Message);
            outcome = Outcome.Failed;
            LogFailed(message.Channel, message.IdentityKey, message.Attempts, failure.Message);
            metrics.Delivered(message, "failed");
        }

        await db.SaveChangesAsync(CancellationToken.None);
        return outcome;
    }

    /// <summary>A message given up is audited under its channel's event type: the dashboard's failed-email count reads only the emails.</summary>
    private void AuditFailure(CredentialPortalDbContext db, OutboxMessage message, string error)
    {
        var (eventType, what) = message.Channel switch
        {
            OutboxChannel.Webhook => (AuditEventTypes.WebhookFailed,
                $"Webhook {message.WebhookMessageId} \"{message.WebhookEventType}\" to endpoint {message.WebhookEndpointId}"),
            _ => (AuditEventTypes.EmailFailed,
                $"{message.EmailKind} email \"{message.Subject}\" to {PortalText.Count(message.RecipientList.Count, "recipient")}"),
        };
        new AuditLog(db, time).Add(eventType, AuditActor.System,
            $"{what} was not delivered after {PortalText.Count(message.Attempts, "attempt")}: {error}",
            message.OrganisationId, message.ApplicationId, message.CredentialId);
    }

    /// <summary>Null once the receiver accepted the message (and it is marked sent); else the failure.</summary>
    private async Task<OutboxDeliveryException?> SendAsync(CredentialPortalDbContext db, OutboxMessage message, string owner, CancellationToken cancellationToken)
    {
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewLeaseAsync(message.Id, owner, renewal.Token);
        try
        {
            // Due() leased only messages of registered channels, so the lookup cannot miss.
            await _channels[message.Channel].SendAsync(message, () => MarkSentAsync(db, message), cancellationToken);
            return null;
        }
        catch (OutboxDeliveryException ex)
        {
            return ex;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: hand the message back at once instead of letting another instance wait out the lease.
            await ReleaseAsync(message.Id, owner);
            throw;
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }
    }

    /// <summary>The receiver has the message: record it now, whatever happens to the connection or the host afterwards.</summary>
    private async Task MarkSentAsync(CredentialPortalDbContext db, OutboxMessage message)
    {
        message.Status = OutboxStatus.Sent;
        message.SentAt = time.GetUtcNow().UtcDateTime;
        message.ClaimedBy = null;
        message.ClaimedUntil = null;
        message.LastError = null;
        // A delivered email's bodies are not kept: they may hold one-time links. A webhook's payload is (credential
        // metadata the portal shows anyway, never a secret): the endpoint's page can send the same message again.
        message.TextBody = message.TextBody is null ? null : "";
        message.HtmlBody = message.HtmlBody is null ? null : "";
        if (message.EmailKind == EmailKind.SecurityNotification)
        {
            new AuditLog(db, time).Add(AuditEventTypes.NotificationDelivered, AuditActor.System,
                $"\"{message.Subject}\" accepted by the mail server for {PortalText.Count(message.RecipientList.Count, "recipient")} after {PortalText.Count(message.Attempts, "attempt")}",
                message.OrganisationId, message.ApplicationId, message.CredentialId);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        LogSent(message.Channel, message.IdentityKey);
        metrics.Delivered(message, "sent");
    }

    /// <summary>Extends the lease every third of its length while the send lasts, on its own context.</summary>
    private async Task RenewLeaseAsync(long id, string owner, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.ClaimLease / 3, time, cancellationToken);
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                var until = time.GetUtcNow().UtcDateTime + _options.ClaimLease;
                await db.OutboxMessages.Where(e => e.Id == id && e.ClaimedBy == owner)
                    .ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedUntil, until), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The send ended.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lease then runs out as configured, which is at least the send timeout.
            LogRenewalFailed(id, ex);
        }
    }

    private async Task ReleaseAsync(long id, string owner)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            await db.OutboxMessages.Where(e => e.Id == id && e.ClaimedBy == owner && e.Status == OutboxStatus.Pending)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedBy, (string?)null).SetProperty(e => e.ClaimedUntil, (DateTime?)null));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReleaseFailed(id, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} {IdentityKey} accepted")]
    private partial void LogSent(OutboxChannel channel, string identityKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel} {IdentityKey} not accepted (attempt {Attempts}); retrying at {NextAttemptAt:o}: {Error}")]
    private partial void LogRetrying(OutboxChannel channel, string identityKey, int attempts, DateTime nextAttemptAt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Channel} {IdentityKey} failed for good after {Attempts} attempt(s): {Error}")]
    private partial void LogFailed(OutboxChannel channel, string identityKey, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} {IdentityKey} dropped unsent: {Reason}")]
    private partial void LogDropped(OutboxChannel channel, string identityKey, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of outbox message {Id}")]
    private partial void LogRenewalFailed(long id, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the lease of outbox message {Id} at shutdown; it expires as configured")]
    private partial void LogReleaseFailed(long id, Exception ex);
}
