using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Credentials;
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
    /// <summary>Newest first; a credential change's email is a detail of the change's row (<see cref="CredentialHistory"/>).</summary>
    public IReadOnlyList<HistoryEntry> Entries { get; private set; } = [];

    /// <summary>Names for the actors that are client IDs (<see cref="ActorNames"/>).</summary>
    public IReadOnlyDictionary<string, string> ActorNames { get; private set; } = new Dictionary<string, string>();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return NotFound();
        }

        Application = application;
        Entries = CredentialHistory.Group(await db.AuditEvents.AsNoTracking()
            .Where(e => e.ApplicationId == application.Id)
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(MaxEvents)
            .ToListAsync(cancellationToken));
        ActorNames = await Core.Audit.ActorNames.OfClientsAsync(db, Entries.Select(e => e.Event.Actor), cancellationToken);
        return Page();
    }
}
