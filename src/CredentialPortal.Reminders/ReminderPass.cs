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
/// One reminder pass: read the credentials (secrets and keys) whose <see cref="ClientCredential.NextReminderAt"/> has
/// come (through its index, page by page, so memory stays constant and a pass with nothing due reads next to nothing),
/// queue one reminder email per newly due slot in the email outbox, then move each credential's NextReminderAt on to
/// the start of its next slot (<see cref="ReminderSchedule.NextSlotStart"/>). The outbox's unique identity key
/// <c>reminder/{credential}/{slot}</c> makes the insert the claim, so a slot is claimed exactly once by however many
/// instances; the outbox sender then delivers it (leases, retries, back-off, failures audited) and drops it unsent if
/// it is no longer due when its turn comes (<see cref="ReminderStillDue"/>).
/// </summary>
/// <remarks>
/// The next slot's start depends on the expiry alone, not on whether the credential is disabled, replaced or of an
/// inactive application, so the pass looks at every credential at each of its slots and a change of those is noticed at
/// the next slot at the latest. The changes that can make a reminder due sooner — a credential enabled, a replacement
/// disabled or deleted, an application activated — set NextReminderAt to now, so the next pass looks at once
/// (<see cref="CredentialLifecycle.RemindAgainAsync"/>).
/// </remarks>
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
        await foreach (var page in PagesAsync(now, cancellationToken))
        {
            // Claimed before moved on: a pass that dies in between finds the claims next time and moves on then.
            claimed += await InsertClaimsAsync(await DueAsync(page, now, cancellationToken), now, cancellationToken);
            await MoveOnAsync(page, now, cancellationToken);
        }

        return claimed;
    }

    /// <summary>
    /// The slots due at <paramref name="now"/> that are not claimed yet, reading what a pass reads but claiming nothing
    /// and moving nothing on.
    /// </summary>
    public async IAsyncEnumerable<DueReminder> FindDueAsync(DateTime now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in PagesAsync(now, cancellationToken))
        {
            foreach (var due in await DueAsync(page, now, cancellationToken))
            {
                yield return due;
            }
        }
    }

    /// <summary>
    /// The credentials whose NextReminderAt has come, one page of <see cref="ReminderOptions.BatchSize"/> per query, in the
    /// order of the (NextReminderAt, ExpiresAt, Id) index (keyset pagination), so no connection stays busy between pages.
    /// Ordered by expiry within an instant, a page holds few expiry dates even when every credential shares one instant
    /// (after the upgrade, or a bulk import), so that moving them on takes few statements (<see cref="MoveOnAsync"/>).
    /// </summary>
    private async IAsyncEnumerable<List<Looked>> PagesAsync(DateTime now, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Looked? last = null;
        while (true)
        {
            var page = new List<Looked>(_options.BatchSize);
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                // Exact index seeks, one after the other while the page is not full: the rest of the last page's expiry
                // at its instant (portal expiries are midnights, so thousands share one), the rest of its instant, then
                // the instants that follow. One OR-ed condition instead would rescan the groups of equal values each page.
                IQueryable<ClientCredential>[] seeks = last is { } l
                    ? [
                        db.ClientCredentials.Where(c => c.NextReminderAt == l.NextReminderAt && c.ExpiresAt == l.ExpiresAt && c.Id > l.Id),
                        db.ClientCredentials.Where(c => c.NextReminderAt == l.NextReminderAt && c.ExpiresAt > l.ExpiresAt),
                        db.ClientCredentials.Where(c => c.NextReminderAt > l.NextReminderAt && c.NextReminderAt <= now),
                    ]
                    : [db.ClientCredentials.Where(c => c.NextReminderAt <= now)];
                foreach (var seek in seeks)
                {
                    if (page.Count == _options.BatchSize)
                    {
                        break;
                    }

                    page.AddRange(await seek
                        .OrderBy(c => c.NextReminderAt).ThenBy(c => c.ExpiresAt).ThenBy(c => c.Id)
                        .Take(_options.BatchSize - page.Count)
                        .Select(c => new Looked(c.Id, c.ExpiresAt, c.NextReminderAt!.Value))
                        .ToListAsync(cancellationToken));
                }
            }

            if (page.Count > 0)
            {
                yield return page;
            }

            if (page.Count < _options.BatchSize)
            {
                yield break;
            }

            last = page[^1];
        }
    }

    /// <summary>
    /// The page's slots due and not claimed yet, in expiry order (disabled credentials and those of inactive applications
    /// have none). Only credentials with a slot due by their expiry alone are asked about further: most of those the first
    /// pass after the upgrade looks at are months from their first slot.
    /// </summary>
    private async Task<List<DueReminder>> DueAsync(List<Looked> page, DateTime now, CancellationToken cancellationToken)
    {
        // Unreplaced is the most a credential can have due: a replaced one has a subset of its slots.
        var ids = page.Where(l => ReminderSchedule.DueSlot(l.ExpiresAt, now, replaced: false) is not null).Select(l => l.Id).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var candidates = await CredentialQueries.ReminderCandidates(db, db.ClientCredentials.Where(c => ids.Contains(c.Id)))
            .OrderBy(c => c.ExpiresAt).ThenBy(c => c.Id)
            .Select(c => new Candidate(
                c,
                db.OutboxMessages
                    .Where(e => e.CredentialId == c.Id && e.EmailKind == EmailKind.Reminder)
                    .OrderByDescending(e => e.Id)
                    .Select(e => e.IdentityKey)
                    .FirstOrDefault()))
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var due = new List<DueReminder>();
        foreach (var (credential, latestClaimKey) in candidates)
        {
            if (ReminderSchedule.DueSlot(credential.ExpiresAt, now, credential.Replaced) is { } slot
                && !(ReminderEmail.TryParseIdentityKey(latestClaimKey, out _, out var claimed) && !slot.IsLaterThan(claimed)))
            {
                due.Add(new DueReminder(credential.Id, slot, credential.Replaced));
            }
        }

        return due;
    }

    /// <summary>
    /// Sets each of the page's credentials to be looked at again at its next slot's start (null when none follows), in
    /// one statement per (old, new) instant: a page's few expiry dates make few. Only where NextReminderAt is still what
    /// the page read: a change that set it to now meanwhile (see the remarks) wins, and the next pass looks.
    /// </summary>
    private async Task MoveOnAsync(List<Looked> page, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var group in page.GroupBy(l => (From: l.NextReminderAt, To: ReminderSchedule.NextSlotStart(l.ExpiresAt, now))))
        {
            var ids = group.Select(l => l.Id).ToList();
            var (from, to) = group.Key;
            var (earliest, latest) = (group.Min(l => l.ExpiresAt), group.Max(l => l.ExpiresAt));
            // The expiry range has the (NextReminderAt, ExpiresAt, Id) index find the rows: without it, SQLite would pick
            // that index for NextReminderAt alone and scan every credential at that instant (all of them after the upgrade).
            await db.ClientCredentials
                .Where(c => c.NextReminderAt == from && c.ExpiresAt >= earliest && c.ExpiresAt <= latest && ids.Contains(c.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.NextReminderAt, to), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

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
                application, credential, due.Slot.IsFinalNotice ? null : due.Slot.DaysBefore, WebhookOutbox.ExpiryMessageId(credential.Id, due.Slot.Name), cancellationToken: cancellationToken);
        }
    }

    /// <summary>A credential as a page read it.</summary>
    private readonly record struct Looked(int Id, DateTime ExpiresAt, DateTime NextReminderAt);

    private sealed record Candidate(ReminderCandidate Credential, string? LatestClaimKey);
}
