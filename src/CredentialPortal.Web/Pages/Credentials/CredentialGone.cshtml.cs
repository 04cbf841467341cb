using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// Where a stale page lands (a second tab, the back button) when the secret or key it acts on no longer exists: says when
/// and by whom it was deleted, if the audit log knows (410 Gone), or that the application has no such credential (404),
/// with the way back to the application's credentials. An application the user does not manage is a bare 404 like
/// everywhere, so nothing is told about other applications' credentials.
/// </summary>
public sealed class CredentialGoneModel(CredentialPortalDbContext db, ManagedApplications access) : PageModel
{
    [FromRoute]
    public int ApplicationId { get; set; }

    /// <summary><c>secrets</c> or <c>keys</c>.</summary>
    [FromRoute]
    public string Kind { get; set; } = "";

    [FromRoute]
    public int CredentialId { get; set; }

    public Application Application { get; private set; } = null!;
    public CredentialWords Words { get; private set; } = null!;
    public CredentialDeletion? Deletion { get; private set; }

    /// <summary>The application's place in the credentials list.</summary>
    public string ApplicationLink => $"/manage-api-credentials#app-{ApplicationId}";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return NotFound();
        }

        var kind = CredentialActionModel.KindOf(Kind);
        if (await db.ClientCredentials.AnyAsync(c => c.Id == CredentialId && c.ApplicationId == application.Id && c.Kind == kind, cancellationToken))
        {
            // Not gone after all (an old bookmark of this address): the list shows it.
            return Redirect(ApplicationLink);
        }

        Application = application;
        Words = kind.Words();
        if (await CredentialDeletion.FindAsync(db, application.Id, kind, CredentialId, cancellationToken) is { } deletion)
        {
            var names = await ActorNames.OfClientsAsync(db, [deletion.DeletedBy], cancellationToken);
            Deletion = deletion with { DeletedBy = names.Display(deletion.DeletedBy) };
        }

        Response.StatusCode = Deletion is null ? StatusCodes.Status404NotFound : StatusCodes.Status410Gone;
        return Page();
    }
}
