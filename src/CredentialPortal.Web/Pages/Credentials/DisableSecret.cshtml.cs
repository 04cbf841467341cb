using CredentialPortal.Core.Data;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>Disable (after confirmation) or enable a secret or key: the reversible step of a safe rotation.</summary>
public sealed class DisableSecretModel(CredentialPortalDbContext db, ManagedApplications access, CredentialLifecycle lifecycle, TimeProvider time)
    : CredentialActionModel(db, access, lifecycle, time)
{
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var outcome = await Lifecycle.DisableAsync(Application, Credential, AuditActors.Current(HttpContext), ConfirmLastCredential, cancellationToken);
        return After(outcome, $"{Described} of {Application.Name} is disabled: it can no longer obtain tokens. Enable it again if something still needed it.");
    }

    public async Task<IActionResult> OnPostEnableAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var outcome = await Lifecycle.EnableAsync(Application, Credential, AuditActors.Current(HttpContext), cancellationToken);
        return After(outcome, $"{Described} of {Application.Name} is enabled again.");
    }
}
