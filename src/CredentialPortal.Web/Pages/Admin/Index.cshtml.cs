using CredentialPortal.Core.Administration;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Usage;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin;

/// <summary>The administrators' home: what needs attention.</summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(IDbContextFactory<CredentialPortalDbContext> contexts, TimeProvider time) : PageModel
{
    public int FewManagers { get; private set; }
    public int ExpiringSoon { get; private set; }
    public int CannotObtainTokens { get; private set; }
    public int FailedEmails { get; private set; }
    public int LockedOutUsers { get; private set; }

    /// <summary>Secrets reported as found in public and not deleted yet: each wants a rotation.</summary>
    public int LeakedSecrets { get; private set; }

    /// <summary>Administrators' passkeys registered from a session signed in with a code, in the last <see cref="RecentDays"/> days.</summary>
    public int PasskeysAddedWithCode { get; private set; }

    public const int RecentDays = 30;

    /// <summary>How many applications the "most failed authentications" list names.</summary>
    public const int TopFailing = 5;

    /// <summary>Tokens and failures per day across every application, the last <see cref="RecentDays"/> days.</summary>
    public IReadOnlyList<UsageTotal> UsageTotals { get; private set; } = [];

    /// <summary>The applications with the most failed authentications in the last <see cref="RecentDays"/> days.</summary>
    public IReadOnlyList<FailingApplication> MostFailures { get; private set; } = [];

    /// <summary>
    /// Seven independent counts and the usage over the whole operator's data, each on its own context and thread at the same
    /// time: the page waits for the slowest one rather than for their sum.
    /// </summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var nowOffset = time.GetUtcNow();
        var few = CountAsync(db => Attention.FewManagers(db, db.Applications).CountAsync(cancellationToken));
        var expiring = CountAsync(db => Attention.ExpiringCredentials(db, now).CountAsync(cancellationToken));
        // Answered from the (ApplicationId, Kind, DisabledAt, ExpiresAt) index alone: one probe per application and kind.
        var none = CountAsync(db => Attention.CannotObtainTokens(db, db.Applications, now).CountAsync(cancellationToken));
        var failed = CountAsync(db => db.OutboxMessages.CountAsync(e => e.Channel == OutboxChannel.Email && e.Status == OutboxStatus.Failed, cancellationToken));
        // DateTimeOffset comparisons do not translate on SQLite: the users ever locked out (few) are compared here.
        var locked = CountAsync(async db => (await db.Users.Where(u => u.LockoutEnd != null).Select(u => u.LockoutEnd).ToListAsync(cancellationToken))
            .Count(end => end > nowOffset));
        var since = now.AddDays(-RecentDays);
        var passkeys = CountAsync(db =>
            db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.PasskeyAddedWithCode && e.OccurredAt >= since, cancellationToken));
        var leaked = CountAsync(db => db.ClientSecrets.CountAsync(s => s.LeakedAt != null, cancellationToken));
        var totals = LoadAsync(db => UsageQueries.TotalsAsync(db, RecentDays, now, cancellationToken));
        var failing = LoadAsync(db => UsageQueries.MostFailuresAsync(db, RecentDays, now, TopFailing, cancellationToken));
        await Task.WhenAll(few, expiring, none, failed, locked, passkeys, leaked, totals, failing);
        (UsageTotals, MostFailures) = (totals.Result, failing.Result);
        (FewManagers, ExpiringSoon, CannotObtainTokens, FailedEmails, LockedOutUsers, PasskeysAddedWithCode, LeakedSecrets) =
            (few.Result, expiring.Result, none.Result, failed.Result, locked.Result, passkeys.Result, leaked.Result);
    }

    private Task<int> CountAsync(Func<CredentialPortalDbContext, Task<int>> count) => LoadAsync(count);

    // On a thread of its own: SQLite's "async" queries run to the end before they return their task, so without it the
    // counts ran one after the other (their sum, 40 ms at 10,000 applications, instead of the slowest, 20).
    private Task<T> LoadAsync<T>(Func<CredentialPortalDbContext, Task<T>> load) => Task.Run(async () =>
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await load(db);
    });
}
