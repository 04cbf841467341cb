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
/// application the user manages and the credential of that application, or answers 404 (an id of another application,
/// or of the other kind, is simply not found). Removing the application's last active credential needs a second,
/// explicit confirmation (<see cref="ConfirmLastCredential"/>): <see cref="CredentialLifecycle"/> refuses it otherwise.
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

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return false;
        }

        CredentialKind? kind = Kind switch { "secrets" => CredentialKind.Secret, "keys" => CredentialKind.Key, _ => null };
        var credential = kind is null ? null : await db.ClientCredentials
            .SingleOrDefaultAsync(c => c.Id == CredentialId && c.ApplicationId == application.Id && c.Kind == kind, cancellationToken);
        if (credential is null)
        {
            return false;
        }

        Application = application;
        Credential = credential;
        IsLastActiveCredential = await lifecycle.IsLastActiveCredentialAsync(application, credential, cancellationToken);
        return true;
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    /// <summary>
    /// Loads the credential (404 when it is not the user's to manage), applies <paramref name="change"/> as the signed-in
    /// user, then <see cref="After"/> with <paramref name="message"/>.
    /// </summary>
    protected async Task<IActionResult> ChangeAsync(Func<AuditActor, Task<CredentialChangeOutcome>> change, Func<string> message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(message);
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
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
