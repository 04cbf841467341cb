using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>An application's recent security events, for its credential managers.</summary>
public sealed class HistoryModel(CredentialPortalDbContext db, ManagedApplications access) : PageModel
{
    public const int MaxEvents = 200;

    [FromRoute]
    public int ApplicationId { get; set; }

    public Application Application { get; private set; } = null!;
    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return NotFound();
        }

        Application = application;
        Events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.ApplicationId == application.Id)
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(MaxEvents)
            .ToListAsync(cancellationToken);
        return Page();
    }
}
