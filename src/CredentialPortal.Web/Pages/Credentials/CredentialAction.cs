using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// Base of the confirm-then-act pages for one secret or key (route segment <c>secrets</c> or <c>keys</c>): loads the
/// application the user manages and the credential of that application, or answers 404 for an application the user does
/// not manage. A credential that is not (or no longer) the application's leads to <see cref="CredentialGoneModel"/>, which
/// says when and by whom it was deleted: a page opened before the deletion (a second tab, the back button) is stale, not
/// wrong. Removing the application's last active credential needs a second, explicit confirmation
/// (<see cref="ConfirmLastCredential"/>): <see cref="CredentialLifecycle"/> refuses it otherwise.
/// </summary>
public abstract class CredentialActionModel(CredentialPortalDbContext db, ManagedApplications access, CredentialLifecycle lifecycle, TimeProvider time)
    : PageModel
{
    public const string ConfirmField = nameof(ConfirmLastCredential);

    [FromRoute]
    public int ApplicationId { get; set; }

    /// <summary><c>secrets</c> or <c>keys</c>.</summary>
    [FromRoute]
    public string Kind { get; set; } = "";

    [FromRoute]
    public int CredentialId { get; set; }

    /// <summary>The second confirmation: "I understand the application loses API access".</summary>
    [BindProperty]
    public bool ConfirmLastCredential { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public Application Application { get; private set; } = null!;
    public ClientCredential Credential { get; private set; } = null!;
    public bool IsLastActiveCredential { get; private set; }
    public DateTime Now => time.GetUtcNow().UtcDateTime;
    public string Noun => Credential.Noun;

    /// <summary>"Secret “name” (abc…)" or "Key “name” (thumbprint)", for status messages.</summary>
    public string Described => $"{Credential.Kind.Words().Label} “{Credential.Name}” ({Credential.DisplayHint})";

    protected CredentialLifecycle Lifecycle => lifecycle;

    /// <summary>The route's kind segment: <c>secrets</c>, <c>keys</c> or <c>federated-identities</c> (the route admits no other).</summary>
    public static CredentialKind KindOf(string segment) => segment switch
    {
        "keys" => CredentialKind.Key,
        "federated-identities" => CredentialKind.FederatedIdentity,
        _ => CredentialKind.Secret,
    };

    /// <summary>The kind's route segment (see <see cref="KindOf"/>).</summary>
    public static string SegmentOf(CredentialKind kind) => kind switch
    {
        CredentialKind.Key => "keys",
        CredentialKind.FederatedIdentity => "federated-identities",
        _ => "secrets",
    };

    /// <summary>Loads the application and the credential; null when loaded, else the answer: 404, or the "gone" page.</summary>
    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return NotFound();
        }

        var kind = KindOf(Kind);
        var credential = await db.ClientCredentials
            .SingleOrDefaultAsync(c => c.Id == CredentialId && c.ApplicationId == application.Id && c.Kind == kind, cancellationToken);
        if (credential is null)
        {
            return RedirectToPage("/Credentials/CredentialGone", new { ApplicationId, Kind, CredentialId });
        }

        Application = application;
        Credential = credential;
        IsLastActiveCredential = await lifecycle.IsLastActiveCredentialAsync(application, credential, cancellationToken);
        return null;
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ?? Page();

    /// <summary>
    /// Loads the credential (404 when it is not the user's to manage, the "gone" page when it no longer exists), applies
    /// <paramref name="change"/> as the signed-in user, then <see cref="After"/> with <paramref name="message"/>.
    /// </summary>
    protected async Task<IActionResult> ChangeAsync(Func<AuditActor, Task<CredentialChangeOutcome>> change, Func<string> message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(message);
        if (await LoadAsync(cancellationToken) is { } notLoaded)
        {
            return notLoaded;
        }

        return After(await change(AuditActors.Current(HttpContext)), message());
    }

    /// <summary>Back to the list after a change, or this page again with the second confirmation asked for.</summary>
    private IActionResult After(CredentialChangeOutcome outcome, string message)
    {
        if (outcome == CredentialChangeOutcome.LastActiveCredential)
        {
            ModelState.AddModelError(ConfirmField,
                $"This is the last active credential of {Application.Name}. Tick the box to confirm that the application may lose API access.");
            return Page();
        }

        StatusMessage = message;
        return Redirect("/manage-api-credentials");
    }
}
