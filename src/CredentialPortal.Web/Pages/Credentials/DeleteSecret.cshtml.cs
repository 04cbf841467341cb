using CredentialPortal.Core.Data;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>Delete a secret or key after a confirmation that warns about recent use and about losing API access.</summary>
public sealed class DeleteSecretModel(CredentialPortalDbContext db, ManagedApplications access, CredentialLifecycle lifecycle, TimeProvider time)
    : CredentialActionModel(db, access, lifecycle, time)
{
    /// <summary>A credential used this recently is probably still in use somewhere.</summary>
    public static readonly TimeSpan RecentUse = TimeSpan.FromDays(7);

    public bool UsedRecently => Credential.LastUsedAt is { } used && Now - used < RecentUse;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var outcome = await Lifecycle.DeleteAsync(Application, Credential, AuditActors.Current(HttpContext), ConfirmLastCredential, cancellationToken);
        return After(outcome, $"{Described} of {Application.Name} is deleted. It no longer obtains tokens and gets no more reminders.");
    }
}
