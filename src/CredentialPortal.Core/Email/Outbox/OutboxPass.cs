using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Email.Outbox;

/// <summary>What one pass did.</summary>
public sealed record OutboxPassResult(int Sent, int Retrying, int Failed, int Dropped);

/// <summary>A last look before an email goes out, e.g. whether a reminder is still due. Registered per feature.</summary>
public interface IOutboxDeliveryCheck
{
    /// <summary>Null when <paramref name="email"/> should still be sent; otherwise why not (it is then dropped unsent).</summary>
    Task<string?> ReasonToDropAsync(CredentialPortalDbContext db, OutboxEmail email, DateTime now, CancellationToken cancellationToken);
}

/// <summary>
/// One pass of the outbox sender: lease each due email with a conditional update (only one instance wins it, on every
/// provider), send it while a side task renews the lease, and mark it sent the moment the mail server accepted it —
/// before the SMTP QUIT, so a crash can only repeat an email in the few milliseconds between acceptance and that commit.
/// Transient failures are retried with exponential back-off; permanent ones are marked failed and audited.
/// </summary>
public sealed partial class OutboxPass(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IEmailSender sender,
    IEnumerable<IOutboxDeliveryCheck> checks,
    TimeProvider time,
    IOptions<EmailOptions> email,
    ILogger<OutboxPass> logger,
    OutboxMetrics metrics,
    IEnumerable<IOutboxTransport> transports)
{
    private readonly OutboxOptions _options = email.Value.Outbox;

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

    private static IQueryable<OutboxEmail> Due(CredentialPortalDbContext db, DateTime now) =>
        db.OutboxEmails.Where(e => e.Status == OutboxEmailStatus.Pending && e.NextAttemptAt <= now
            && (e.ClaimedUntil == null || e.ClaimedUntil <= now));

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

        var email = await db.OutboxEmails.SingleAsync(e => e.Id == id, cancellationToken);
        foreach (var check in checks)
        {
            if (await check.ReasonToDropAsync(db, email, now, cancellationToken) is { } reason)
            {
                email.Status = OutboxEmailStatus.Dropped;
                email.LastError = reason;
                email.ClaimedBy = null;
                email.ClaimedUntil = null;
                await db.SaveChangesAsync(CancellationToken.None);
                LogDropped(email.IdentityKey, reason);
                metrics.Delivered(email.Kind, "dropped");
                return Outcome.Dropped;
            }
        }

        email.Attempts++;
        var failure = email.RecipientList.Count == 0
            ? new EmailDeliveryException("The email has no recipients.", isTransient: false)
            : await SendAsync(db, email, owner, cancellationToken);
        if (failure is null)
        {
            return Outcome.Sent;
        }

        var after = time.GetUtcNow().UtcDateTime;
        email.ClaimedBy = null;
        email.ClaimedUntil = null;
        email.LastError = failure.Message.Length > OutboxEmail.MaxLastErrorLength ? failure.Message[..OutboxEmail.MaxLastErrorLength] : failure.Message;
        Outcome outcome;
        if (failure.IsTransient && email.Attempts < _options.MaxAttempts)
        {
            email.NextAttemptAt = after + _options.RetryDelay(email.Attempts);
            outcome = Outcome.Retrying;
            LogRetrying(email.IdentityKey, email.Attempts, email.NextAttemptAt, failure.Message);
            metrics.Delivered(email.Kind, "retrying");
        }
        else
        {
            email.Status = OutboxEmailStatus.Failed;
            new AuditLog(db, time).Add(AuditEventTypes.EmailFailed, AuditActor.System,
                $"{email.Kind} email \"{email.Subject}\" to {email.RecipientList.Count} recipient(s) was not delivered after {email.Attempts} attempt(s): {failure.Message}",
                email.OrganisationId, email.ApplicationId, email.SecretId);
            outcome = Outcome.Failed;
            LogFailed(email.IdentityKey, email.Attempts, failure.Message);
            metrics.Delivered(email.Kind, "failed");
        }

        await db.SaveChangesAsync(CancellationToken.None);
        return outcome;
    }

    /// <summary>Null once the server accepted the message (and the email is marked sent); else the failure.</summary>
    private async Task<EmailDeliveryException?> SendAsync(CredentialPortalDbContext db, OutboxEmail email, string owner, CancellationToken cancellationToken)
    {
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewLeaseAsync(email.Id, owner, renewal.Token);
        try
        {
            // Rows that are not emails (webhooks) go to their own transport, with the same leases, retries and audit.
            await (transports.FirstOrDefault(t => t.Kind == email.Kind) is { } transport
                ? transport.SendAsync(email, () => MarkSentAsync(db, email), cancellationToken)
                : sender.SendAsync(email.ToMessage(), () => MarkSentAsync(db, email), cancellationToken));
            return null;
        }
        catch (EmailDeliveryException ex)
        {
            return ex;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: hand the email back at once instead of letting another instance wait out the lease.
            await ReleaseAsync(email.Id, owner);
            throw;
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }
    }

    /// <summary>The server has the message: record it now, whatever happens to the connection or the host afterwards.</summary>
    private async Task MarkSentAsync(CredentialPortalDbContext db, OutboxEmail email)
    {
        email.Status = OutboxEmailStatus.Sent;
        email.SentAt = time.GetUtcNow().UtcDateTime;
        email.ClaimedBy = null;
        email.ClaimedUntil = null;
        email.LastError = null;
        email.TextBody = "";
        email.HtmlBody = "";
        if (email.Kind == OutboxEmailKind.SecurityNotification)
        {
            new AuditLog(db, time).Add(AuditEventTypes.NotificationDelivered, AuditActor.System,
                $"\"{email.Subject}\" accepted by the mail server for {email.RecipientList.Count} recipient(s) after {email.Attempts} attempt(s)",
                email.OrganisationId, email.ApplicationId, email.SecretId);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        LogSent(email.IdentityKey, email.RecipientList.Count);
        metrics.Delivered(email.Kind, "sent");
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
                await db.OutboxEmails.Where(e => e.Id == id && e.ClaimedBy == owner)
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
            await db.OutboxEmails.Where(e => e.Id == id && e.ClaimedBy == owner && e.Status == OutboxEmailStatus.Pending)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedBy, (string?)null).SetProperty(e => e.ClaimedUntil, (DateTime?)null));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReleaseFailed(id, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {IdentityKey} accepted for {RecipientCount} recipient(s)")]
    private partial void LogSent(string identityKey, int recipientCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {IdentityKey} not accepted (attempt {Attempts}); retrying at {NextAttemptAt:o}: {Error}")]
    private partial void LogRetrying(string identityKey, int attempts, DateTime nextAttemptAt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {IdentityKey} failed for good after {Attempts} attempt(s): {Error}")]
    private partial void LogFailed(string identityKey, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {IdentityKey} dropped unsent: {Reason}")]
    private partial void LogDropped(string identityKey, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of outbox email {Id}")]
    private partial void LogRenewalFailed(long id, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the lease of outbox email {Id} at shutdown; it expires as configured")]
    private partial void LogReleaseFailed(long id, Exception ex);
}
