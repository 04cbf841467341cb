using System.Runtime.CompilerServices;
using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Reminders;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Reminders;

/// <summary>What one pass did.</summary>
public sealed record ReminderPassResult(int Claimed, int Sent, int Retrying, int Failed, int Dropped);

/// <summary>A slot that is due and not claimed yet.</summary>
public readonly record struct DueReminder(int SecretId, ReminderSlot Slot);

/// <summary>
/// One reminder pass, in two steps. <b>Claim</b>: read the secrets whose expiry lies in the due window (through the
/// <c>ExpiresAt</c> index, page by page, so memory stays constant) and insert one <see cref="ReminderDelivery"/> per
/// newly due slot; the unique (SecretId, Slot) key makes the insert the claim, so a slot is claimed exactly once by
/// however many instances. <b>Send</b>: lease each pending delivery with a conditional update (so two instances never
/// send the same one; a crashed instance's lease runs out), send it, and mark it sent only after the mail server
/// accepted it; retry transient failures with exponential back-off and audit the ones that fail for good.
/// </summary>
public sealed partial class ReminderPass(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    IEmailSender emailSender,
    TimeProvider time,
    IOptions<ReminderOptions> options,
    IOptions<PortalOptions> portal,
    PortalAddress address,
    ILogger<ReminderPass> logger)
{
    private readonly ReminderOptions _options = options.Value;

    public async Task<ReminderPassResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var claimed = await ClaimDueAsync(cancellationToken);
        var result = await SendPendingAsync(cancellationToken);
        return result with { Claimed = claimed };
    }

    /// <summary>
    /// The slots due at <paramref name="now"/> that are not claimed yet, in expiry order. Reads only secrets whose
    /// expiry lies in the window (<see cref="ReminderSchedule.WindowStart"/> to <see cref="ReminderSchedule.WindowEnd"/>),
    /// one page of <see cref="ReminderOptions.BatchSize"/> per query (keyset pagination on ExpiresAt, Id), so no
    /// connection stays busy between pages and memory does not grow with the number of secrets.
    /// </summary>
    public async IAsyncEnumerable<DueReminder> FindDueAsync(DateTime now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var windowStart = ReminderSchedule.WindowStart(now);
        var windowEnd = ReminderSchedule.WindowEnd(now);
        (DateTime ExpiresAt, int Id)? after = null;
        while (true)
        {
            var page = new List<Candidate>(_options.BatchSize);
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                // Keyset pagination on (ExpiresAt, Id) in two exact index seeks: first the rest of the last page's
                // expiry instant (portal expiries are midnights, so thousands of secrets share one), then what follows.
                // One OR-ed condition instead would make every page rescan its whole group of equal expiries.
                if (after is var (afterExpiry, afterId))
                {
                    page.AddRange(await CandidatesAsync(db, db.ClientSecrets.Where(s => s.ExpiresAt == afterExpiry && s.Id > afterId),
                        _options.BatchSize, cancellationToken));
                }

                var from = after?.ExpiresAt ?? windowStart;
                if (page.Count < _options.BatchSize)
                {
                    page.AddRange(await CandidatesAsync(db, db.ClientSecrets.Where(s => s.ExpiresAt > from && s.ExpiresAt < windowEnd),
                        _options.BatchSize - page.Count, cancellationToken));
                }
            }

            foreach (var candidate in page)
            {
                var due = ReminderSchedule.DueSlot(
                    candidate.ExpiresAt,
                    now,
                    replaced: candidate.OtherLatestExpiry > candidate.ExpiresAt);
                if (due is { } slot && !(ReminderSlot.TryParse(candidate.LatestClaimedSlot, out var claimed) && !slot.IsLaterThan(claimed)))
                {
                    yield return new DueReminder(candidate.Id, slot);
                }
            }

            if (page.Count < _options.BatchSize)
            {
                yield break;
            }

            after = (page[^1].ExpiresAt, page[^1].Id);
        }
    }

    private static Task<List<Candidate>> CandidatesAsync(
        CredentialPortalDbContext db, IQueryable<ClientSecret> secrets, int count, CancellationToken cancellationToken) =>
        secrets
            .Where(s => s.DisabledAt == null && s.Application.IsActive)
            .OrderBy(s => s.ExpiresAt).ThenBy(s => s.Id)
            .Select(s => new Candidate(
                s.Id,
                s.ExpiresAt,
                db.ClientSecrets
                    .Where(o => o.ApplicationId == s.ApplicationId && o.Id != s.Id && o.DisabledAt == null)
                    .Max(o => (DateTime?)o.ExpiresAt),
                db.ReminderDeliveries
                    .Where(r => r.SecretId == s.Id)
                    .OrderByDescending(r => r.Id)
                    .Select(r => r.Slot)
                    .FirstOrDefault()))
            .Take(count)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

    private async Task<int> ClaimDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var claimed = 0;
        var batch = new List<DueReminder>(_options.BatchSize);
        await foreach (var due in FindDueAsync(now, cancellationToken))
        {
            batch.Add(due);
            if (batch.Count == _options.BatchSize)
            {
                claimed += await InsertClaimsAsync(batch, now, cancellationToken);
                batch.Clear();
            }
        }

        return claimed + await InsertClaimsAsync(batch, now, cancellationToken);
    }

    /// <summary>
    /// The outbox write: one row per (secret, slot), in one SaveChanges per batch. The unique (SecretId, Slot) key
    /// settles a race with another instance claiming the same slots: if the batch collides, each row is inserted on its
    /// own and a row that collides is left to the instance that claimed it first. Plain EF Core, so one code path serves
    /// every provider.
    /// </summary>
    private async Task<int> InsertClaimsAsync(List<DueReminder> batch, DateTime now, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            db.ReminderDeliveries.AddRange(batch.Select(due => NewDelivery(due, now)));
            return await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            var inserted = 0;
            foreach (var due in batch)
            {
                inserted += await TryInsertClaimAsync(due, now, cancellationToken) ? 1 : 0;
            }

            return inserted;
        }
    }

    private async Task<bool> TryInsertClaimAsync(DueReminder due, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ReminderDeliveries.Add(NewDelivery(due, now));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException) when (!cancellationToken.IsCancellationRequested)
        {
            // Claimed by another instance in the meantime, or a real failure, which the check itself surfaces.
            if (await IsClaimedAsync(due, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    private async Task<bool> IsClaimedAsync(DueReminder due, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var slot = due.Slot.Name;
        return await db.ReminderDeliveries.AnyAsync(r => r.SecretId == due.SecretId && r.Slot == slot, cancellationToken);
    }

    private static ReminderDelivery NewDelivery(DueReminder due, DateTime now) => new()
    {
        SecretId = due.SecretId,
        Slot = due.Slot.Name,
        Status = ReminderDeliveryStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    private async Task<ReminderPassResult> SendPendingAsync(CancellationToken cancellationToken)
    {
        // Unique per pass, so that even two passes in one process hold separate leases.
        var owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        int sent = 0, retrying = 0, failed = 0, dropped = 0;
        long afterId = 0;
        while (true)
        {
            var now = time.GetUtcNow().UtcDateTime;
            List<long> ids;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                ids = await db.ReminderDeliveries
                    .Where(r => r.Status == ReminderDeliveryStatus.Pending && r.NextAttemptAt <= now && r.Id > afterId
                        && (r.ClaimedUntil == null || r.ClaimedUntil <= now))
                    .OrderBy(r => r.Id)
                    .Select(r => r.Id)
                    .Take(_options.BatchSize)
                    .ToListAsync(cancellationToken);
            }

            foreach (var id in ids)
            {
                switch (await TryDeliverAsync(id, owner, cancellationToken))
                {
                    case Outcome.Sent: sent++; break;
                    case Outcome.Retrying: retrying++; break;
                    case Outcome.Failed: failed++; break;
                    case Outcome.Dropped: dropped++; break;
                }
            }

            if (ids.Count < _options.BatchSize)
            {
                return new ReminderPassResult(0, sent, retrying, failed, dropped);
            }

            afterId = ids[^1];
        }
    }

    private enum Outcome
    {
        NotMine,
        Sent,
        Retrying,
        Failed,
        Dropped,
    }

    private async Task<Outcome> TryDeliverAsync(long id, string owner, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var leaseUntil = now + _options.ClaimLease;

        // The lease: a conditional update that only one instance can win, also on PostgreSQL under concurrency
        // (READ COMMITTED re-checks the condition after waiting for the other writer).
        var leased = await db.ReminderDeliveries
            .Where(r => r.Id == id && r.Status == ReminderDeliveryStatus.Pending && r.NextAttemptAt <= now
                && (r.ClaimedUntil == null || r.ClaimedUntil <= now))
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.ClaimedBy, owner).SetProperty(r => r.ClaimedUntil, leaseUntil), cancellationToken);
        if (leased != 1)
        {
            return Outcome.NotMine;
        }

        var delivery = await db.ReminderDeliveries.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        var secret = delivery is null ? null : await db.ClientSecrets.Include(s => s.Application)
            .SingleOrDefaultAsync(s => s.Id == delivery.SecretId, cancellationToken);
        if (delivery is null || secret is null)
        {
            // Deleted meanwhile (the delivery row goes with its secret).
            return Outcome.Dropped;
        }

        var otherLatestExpiry = await db.ClientSecrets
            .Where(o => o.ApplicationId == secret.ApplicationId && o.Id != secret.Id && o.DisabledAt == null)
            .MaxAsync(o => (DateTime?)o.ExpiresAt, cancellationToken);
        var replaced = otherLatestExpiry > secret.ExpiresAt;
        var due = secret.IsDisabled || !secret.Application.IsActive ? null
            : ReminderSchedule.DueSlot(secret.ExpiresAt, now, replaced);
        if (!ReminderSlot.TryParse(delivery.Slot, out var slot) || due != slot)
        {
            // Disabled, replaced or superseded by a later slot while it waited (e.g. in back-off): an outdated
            // reminder is not worth sending. Removing the unsent row keeps the record honest.
            db.ReminderDeliveries.Remove(delivery);
            await db.SaveChangesAsync(cancellationToken);
            LogDropped(delivery.Slot, secret.Id);
            return Outcome.Dropped;
        }

        var recipients = await RecipientsAsync(db, secret.Application, cancellationToken);
        var message = ReminderEmail.Compose(
            new ReminderEmailModel(secret.Id, secret.Application.Name, secret.Application.ClientId, secret.Name, secret.Hint,
                secret.ExpiresAt, now, slot, replaced, address.BaseUrl),
            recipients);

        delivery.Attempts++;
        delivery.ClaimedBy = null;
        delivery.ClaimedUntil = null;
        EmailDeliveryException? failure = null;
        if (recipients.Count == 0)
        {
            failure = new EmailDeliveryException("The application has no recipients and no administrator address is known.", isTransient: false);
        }
        else
        {
            try
            {
                await emailSender.SendAsync(message, cancellationToken);
            }
            catch (EmailDeliveryException ex)
            {
                failure = ex;
            }
        }

        var after = time.GetUtcNow().UtcDateTime;
        Outcome outcome;
        if (failure is null)
        {
            delivery.Status = ReminderDeliveryStatus.Sent;
            delivery.SentAt = after;
            delivery.LastError = null;
            outcome = Outcome.Sent;
            LogSent(slot.Name, secret.Id, recipients.Count);
        }
        else if (failure.IsTransient && delivery.Attempts < _options.MaxAttempts)
        {
            delivery.NextAttemptAt = after + _options.RetryDelay(delivery.Attempts);
            delivery.LastError = Truncate(failure.Message);
            outcome = Outcome.Retrying;
            LogRetrying(slot.Name, secret.Id, delivery.Attempts, delivery.NextAttemptAt, failure.Message);
        }
        else
        {
            delivery.Status = ReminderDeliveryStatus.Failed;
            delivery.LastError = Truncate(failure.Message);
            new AuditLog(db, time).Add(AuditEventTypes.ReminderFailed, AuditActor.System,
                $"Reminder {slot.Name} for secret \"{secret.Name}\" ({secret.Hint}\u2026) was not delivered after {delivery.Attempts} attempt(s): {failure.Message}",
                secret.Application.OrganisationId, secret.ApplicationId, secret.Id);
            outcome = Outcome.Failed;
            LogFailed(slot.Name, secret.Id, delivery.Attempts, failure.Message);
        }

        // Not the pass's token: the message is out, so its record must be written even while the host stops.
        await db.SaveChangesAsync(CancellationToken.None);
        return outcome;
    }

    /// <summary>Credential managers (enabled users) and notification addresses; else the administrators.</summary>
    private async Task<IReadOnlyList<string>> RecipientsAsync(CredentialPortalDbContext db, Application application, CancellationToken cancellationToken)
    {
        var managers = await db.CredentialManagers
            .Where(m => m.ApplicationId == application.Id && !m.User.IsDisabled && m.User.Email != null)
            .Select(m => m.User.Email!)
            .ToListAsync(cancellationToken);
        var recipients = managers.Concat(application.NotificationEmails)
            .Where(a => !string.IsNullOrWhiteSpace(a))
            .Select(a => a.Trim())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (recipients.Count > 0)
        {
            return recipients;
        }

        if (!string.IsNullOrWhiteSpace(portal.Value.AdministratorsEmail))
        {
            return [portal.Value.AdministratorsEmail.Trim()];
        }

        var administratorRole = PortalRole.Administrator.ToUpperInvariant();
        return await db.UserRoles
            .Where(ur => db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == administratorRole))
            .Join(db.Users, ur => ur.UserId, u => u.Id, (_, u) => u)
            .Where(u => !u.IsDisabled && u.Email != null)
            .OrderBy(u => u.Email)
            .Select(u => u.Email!)
            .ToListAsync(cancellationToken);
    }

    private static string Truncate(string value) => value.Length > 2000 ? value[..2000] : value;

    private sealed record Candidate(int Id, DateTime ExpiresAt, DateTime? OtherLatestExpiry, string? LatestClaimedSlot);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Slot} for secret {SecretId} sent to {RecipientCount} recipient(s)")]
    private partial void LogSent(string slot, int secretId, int recipientCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Slot} for secret {SecretId} not accepted (attempt {Attempts}); retrying at {NextAttemptAt:o}: {Error}")]
    private partial void LogRetrying(string slot, int secretId, int attempts, DateTime nextAttemptAt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reminder {Slot} for secret {SecretId} failed for good after {Attempts} attempt(s): {Error}")]
    private partial void LogFailed(string slot, int secretId, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Slot} for secret {SecretId} dropped: no longer due (disabled, replaced or superseded)")]
    private partial void LogDropped(string slot, int secretId);
}
