using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Retention;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Reminders;

/// <summary>
/// The monthly digest of unused credentials (<see cref="UnusedCredentials"/>): each credential manager with an unused
/// active credential in an application in service gets one email listing them all, per calendar month (UTC), queued in
/// the email outbox by the reminder service's passes during the month's first <see cref="SendingDays"/> days. The
/// outbox's unique identity key per manager and month (<see cref="UnusedCredentialsEmail.IdentityKey"/>) makes the insert
/// the claim: however many instances run passes, or restart, a manager gets the month's digest once.
/// </summary>
/// <remarks>
/// Once an instance has every digest of the month in the outbox it stops looking until the next month, so a manager
/// whose credential becomes unused later in the month sees it in the next month's digest.
/// Only in the month's first days, because the claim lives as long as the outbox keeps the sent email
/// (<see cref="RetentionOptions.SentMessages"/>, at least <see cref="RetentionOptions.MinimumSentMessages"/>): a pass late
/// in the month could find the claim pruned and send the digest again. It also keeps the digest what its name says, a
/// look at the start of each month, rather than an email whenever a credential crosses the line.
/// </remarks>
public sealed class UnusedCredentialsDigest(IDbContextFactory<CredentialPortalDbContext> contexts, TimeProvider time, IPortalLinks links)
{
    /// <summary>The digest of a month goes out during its first days (a pass on the 1st, or later if every instance was down).</summary>
    public const int SendingDays = 7;

    // The month whose digests this instance has seen queued, by itself or another: the month's later passes (every 15
    // minutes for a week) then read nothing, rather than every credential each time.
    private int _doneMonth = -1;

    /// <summary>Queues the month's digests not queued yet; returns how many this call queued.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var month = (now.Year * 12) + now.Month;
        if (now.Day > SendingDays || Volatile.Read(ref _doneMonth) == month)
        {
            return 0;
        }

        var queued = 0;
        foreach (var digest in await FindAsync(now, cancellationToken))
        {
            queued += await TryQueueAsync(digest, now, cancellationToken) ? 1 : 0;
        }

        // Only once every digest is in the outbox: a failure above propagates and the next pass tries again.
        Volatile.Write(ref _doneMonth, month);
        return queued;
    }

    /// <summary>The digests due at <paramref name="now"/> and not queued yet this month, one per manager.</summary>
    private async Task<List<Digest>> FindAsync(DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ClientCredentials.Where(UnusedCredentials.At(now))
            .Join(db.Applications.Where(Application.InService), c => c.ApplicationId, a => a.Id, (c, a) => new { Credential = c, Application = a })
            .Join(db.CredentialManagers.Where(m => !m.User.IsDisabled && m.User.Email != null), x => x.Application.Id, m => m.ApplicationId,
                (x, m) => new
                {
                    m.UserId,
                    Email = m.User.Email!,
                    m.User.OrganisationId,
                    ApplicationName = x.Application.Name,
                    x.Application.ClientId,
                    x.Credential.Id,
                    x.Credential.Kind,
                    x.Credential.Name,
                    x.Credential.Hint,
                    x.Credential.CreatedAt,
                    x.Credential.LastUsedAt,
                    x.Credential.DisabledAt,
                    x.Credential.ExpiresAt,
                    x.Credential.ReplacedById,
                })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var keys = rows.Select(r => UnusedCredentialsEmail.IdentityKey(r.UserId, now)).Distinct().ToList();
        var queued = (await db.OutboxMessages.Where(m => keys.Contains(m.IdentityKey)).Select(m => m.IdentityKey).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        return rows
            .Where(r => !queued.Contains(UnusedCredentialsEmail.IdentityKey(r.UserId, now)))
            .GroupBy(r => (r.UserId, r.Email, r.OrganisationId))
            .Select(manager => new Digest(manager.Key.UserId, manager.Key.Email, manager.Key.OrganisationId, manager
                .GroupBy(r => (r.ApplicationName, r.ClientId))
                .OrderBy(a => a.Key.ApplicationName, StringComparer.OrdinalIgnoreCase)
                .Select(a => new UnusedCredentialsOfApplication(a.Key.ApplicationName, a.Key.ClientId, a
                    .OrderBy(r => r.LastUsedAt ?? r.CreatedAt).ThenBy(r => r.Id)
                    .Select(r => new UnusedCredentialLine(r.Kind, r.Name, r.Hint,
                        UnusedCredentials.Of(r.CreatedAt, r.LastUsedAt, r.DisabledAt, r.ExpiresAt, r.ReplacedById, now)!))
                    .ToList()))
                .ToList()))
            .ToList();
    }

    /// <summary>
    /// Queues one manager's digest. A collision on the identity key means another instance queued it first: left to that
    /// one. Any other failure propagates (the reminder service logs it and the next pass tries again).
    /// </summary>
    private async Task<bool> TryQueueAsync(Digest digest, DateTime now, CancellationToken cancellationToken)
    {
        var message = UnusedCredentialsEmail.Compose(digest.Email, digest.Applications, digest.UserId, now, links.CredentialsPage);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            new EmailOutbox(db, time).Add(message, EmailKind.UnusedCredentialsDigest, digest.OrganisationId);
            return await db.SaveChangesAsync(cancellationToken) > 0;
        }
        catch (DbUpdateException) when (!cancellationToken.IsCancellationRequested)
        {
            await using var check = await contexts.CreateDbContextAsync(cancellationToken);
            if (await check.OutboxMessages.AnyAsync(m => m.IdentityKey == message.IdentityKey, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    private sealed record Digest(Guid UserId, string Email, int OrganisationId, IReadOnlyList<UnusedCredentialsOfApplication> Applications);
}
