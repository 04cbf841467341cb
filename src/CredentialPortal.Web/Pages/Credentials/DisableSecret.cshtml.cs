using CredentialPortal.Core.Data;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>Disable (after confirmation) or enable a secret: the reversible step of a safe rotation.</summary>
public sealed class DisableSecretModel(CredentialPortalDbContext db, ManagedApplications access, SecretManagement secrets, TimeProvider time)
    : SecretActionModel(db, access, secrets, time)
{
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        await Secrets.DisableAsync(Application, Secret, AuditActors.Current(HttpContext), cancellationToken);
        return BackToList($"Secret “{Secret.Name}” ({Secret.Hint}…) of {Application.Name} is disabled: it can no longer obtain tokens. Enable it again if something still needed it.");
    }

    public async Task<IActionResult> OnPostEnableAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        await Secrets.EnableAsync(Application, Secret, AuditActors.Current(HttpContext), cancellationToken);
        return BackToList($"Secret “{Secret.Name}” ({Secret.Hint}…) of {Application.Name} is enabled again.");
    }
}
