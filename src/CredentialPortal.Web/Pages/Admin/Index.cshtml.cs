using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email.Outbox;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin;

/// <summary>The administrators' home: what needs attention.</summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(CredentialPortalDbContext db, TimeProvider time) : PageModel
{
    public int FewManagers { get; private set; }
    public int ExpiringSoon { get; private set; }
    public int NoActiveSecret { get; private set; }
    public int FailedEmails { get; private set; }
    public int LockedOutUsers { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var soon = SecretExpiryPolicy.ExpiringSoonBefore(now);
        var nowOffset = time.GetUtcNow();
        var active = db.Applications.Where(a => a.IsActive);
        var activeSecret = ActiveSecrets.At(now);
        // The well-staffed applications in one pass over the assignments' index, rather than a count per application.
        var wellStaffed = db.CredentialManagers.GroupBy(m => m.ApplicationId)
            .Where(g => g.Count() >= CredentialManagerAssignment.RecommendedMinimum).Select(g => g.Key);
        FewManagers = await active.CountAsync(a => !wellStaffed.Contains(a.Id), cancellationToken);
        ExpiringSoon = await db.ClientSecrets.Where(ActiveSecrets.ExpiringBefore(now, soon)).CountAsync(s => s.Application.IsActive, cancellationToken);
        // Answered from the (ApplicationId, DisabledAt, ExpiresAt) index alone: one probe per application.
        NoActiveSecret = await active.CountAsync(a => !a.Secrets.AsQueryable().Any(activeSecret), cancellationToken);
        FailedEmails = await db.OutboxEmails.CountAsync(e => e.Status == OutboxEmailStatus.Failed, cancellationToken);
        LockedOutUsers = (await db.Users.Where(u => u.LockoutEnd != null).Select(u => u.LockoutEnd).ToListAsync(cancellationToken))
            .Count(end => end > nowOffset);
    }
}
