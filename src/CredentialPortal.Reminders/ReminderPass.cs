using System.Runtime.CompilerServices;
using CredentialPortal.Core;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Reminders;

/// <summary>A slot that is due and not claimed yet; <paramref name="Replaced"/>: see <see cref="ReminderCandidate.Replaced"/>.</summary>
public readonly record struct DueReminder(int CredentialId, ReminderSlot Slot, bool Replaced);

/// <summary>
/// One reminder pass: read the credentials (secrets and keys) whose expiry lies in the due window (through the <c>ExpiresAt</c> index, page by
/// page, so memory stays constant) and queue one reminder email per newly due slot in the email outbox. The outbox's
/// unique identity key <c>reminder/{credential}/{slot}</c> makes the insert the claim, so a slot is claimed exactly once by
/// however many instances; the outbox sender then delivers it (leases, retries, back-off, failures audited) and drops
/// it unsent if it is no longer due when its turn comes (<see cref="ReminderStillDue"/>).
/// </summary>
public sealed class ReminderPass(
    IDbContextFactory<CredentialPortalDbContext> contexts,
    TimeProvider time,
    IOptions<ReminderOptions> options,
    IOptions<PortalOptions> portal,
    IPortalLinks links)
{
    private readonly ReminderOptions _options = options.Value;

    /// <summary>Claims (queues) every due reminder; returns how many.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
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
    /// The slots due at <paramref name="now"/> that are not claimed yet, in expiry order. Reads only credentials whose
    /// expiry lies in the window (<see cref="ReminderSchedule.WindowStart"/> to <see cref="ReminderSchedule.WindowEnd"/>),
    /// one page of <see cref="ReminderOptions.BatchSize"/> per query (keyset pagination on ExpiresAt, Id), so no
    /// connection stays busy between pages and memory does not grow with the number of credentials.
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
                // expiry instant (portal expiries are midnights, so thousands of credentials share one), then what follows.
                // One OR-ed condition instead would make every page rescan its whole group of equal expiries.
                if (after is var (afterExpiry, afterId))
                {
                    page.AddRange(await CandidatesAsync(db, db.ClientCredentials.Where(s => s.ExpiresAt == afterExpiry && s.Id > afterId),
                        _options.BatchSize, cancellationToken));
                }

                var from = after?.ExpiresAt ?? windowStart;
                if (page.Count < _options.BatchSize)
                {
                    page.AddRange(await CandidatesAsync(db, db.ClientCredentials.Where(s => s.ExpiresAt > from && s.ExpiresAt < windowEnd),
                        _options.BatchSize - page.Count, cancellationToken));
                }
            }

            foreach (var candidate in page)
            {
                var (credential, latestClaimKey) = (candidate.Credential, candidate.LatestClaimKey);
                var due = ReminderSchedule.DueSlot(credential.ExpiresAt, now, credential.Replaced);
                if (due is { } slot && !(ReminderEmail.TryParseIdentityKey(latestClaimKey, out _, out var claimed) && !slot.IsLaterThan(claimed)))
                {
                    yield return new DueReminder(credential.Id, slot, credential.Replaced);
                }
            }

            if (page.Count < _options.BatchSize)
            {
                yield break;
            }

            after = (page[^1].Credential.ExpiresAt, page[^1].Credential.Id);
        }
    }

    private static Task<List<Candidate>> CandidatesAsync(
        CredentialPortalDbContext db, IQueryable<ClientCredential> credentials, int count, CancellationToken cancellationToken) =>
        CredentialQueries.ReminderCandidates(db, credentials)
            .OrderBy(c => c.ExpiresAt).ThenBy(c => c.Id)
            .Select(c => new Candidate(
                c,
                db.OutboxMessages
                    .Where(e => e.CredentialId == c.Id && e.EmailKind == EmailKind.Reminder)
                    .OrderByDescending(e => e.Id)
                    .Select(e => e.IdentityKey)
                    .FirstOrDefault()))
            .Take(count)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

    /// <summary>
    /// The claim: the batch's reminder emails queued in one SaveChanges. The unique identity key settles a race with
    /// another instance claiming the same slots: if the batch collides, each email is queued on its own and one that
    /// collides is left to the instance that claimed it first. Plain EF Core, so one code path serves every provider.
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
            await QueueAsync(db, batch, now, cancellationToken);
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
        try
        {
            await QueueAsync(db, [due], now, cancellationToken);
            return await db.SaveChangesAsync(cancellationToken) > 0;
        }
        catch (DbUpdateException) when (!cancellationToken.IsCancellationRequested)
        {
            // Claimed by another instance in the meantime, or a real failure, which the check itself surfaces.
            await using var check = await contexts.CreateDbContextAsync(cancellationToken);
            var key = ReminderEmail.IdentityKey(due.CredentialId, due.Slot);
            if (await check.OutboxMessages.AnyAsync(e => e.IdentityKey == key, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>Composes each reminder as it reads today and adds it to the outbox (a credential deleted meanwhile is skipped).</summary>
    private async Task QueueAsync(CredentialPortalDbContext db, IReadOnlyList<DueReminder> batch, DateTime now, CancellationToken cancellationToken)
    {
        var ids = batch.Select(d => d.CredentialId).ToList();
        var credentials = await db.ClientCredentials.Where(c => ids.Contains(c.Id)).AsNoTracking()
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var applicationIds = credentials.Values.Select(c => c.ApplicationId).Distinct().ToList();
        var applications = await db.Applications.Where(a => applicationIds.Contains(a.Id)).AsNoTracking()
            .ToDictionaryAsync(a => a.Id, cancellationToken);
        var recipients = new Dictionary<int, IReadOnlyList<string>>();
        var outbox = new EmailOutbox(db, time);
        foreach (var due in batch)
        {
            if (!credentials.TryGetValue(due.CredentialId, out var credential))
            {
                continue;
            }

            var application = applications[credential.ApplicationId];
            if (!recipients.TryGetValue(application.Id, out var to))
            {
                recipients[application.Id] = to = await ReminderRecipients.ForAsync(db, application, portal.Value, cancellationToken);
            }

            var message = ReminderEmail.Compose(
                new ReminderEmailModel(credential.Id, application.Name, application.ClientId, credential.Name, credential.Hint,
                    credential.Kind, credential.ExpiresAt, now, due.Slot, due.Replaced, links.CredentialsPage),
                to);
            outbox.Add(message, EmailKind.Reminder, application.OrganisationId, application.Id, credential.Id);
            await WebhookOutbox.QueueAsync(db, now, due.Slot.IsFinalNotice ? WebhookEventTypes.CredentialExpired : WebhookEventTypes.CredentialExpiring,
                application, credential, due.Slot.IsFinalNotice ? null : due.Slot.DaysBefore, WebhookOutbox.ExpiryMessageId(credential.Id, due.Slot.Name), cancellationToken);
        }
    }

    private sealed record Candidate(ReminderCandidate Credential, string? LatestClaimKey);
}
