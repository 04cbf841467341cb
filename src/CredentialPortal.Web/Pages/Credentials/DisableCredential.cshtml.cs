using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>Disable (after confirmation) or enable a secret or key: the reversible step of a safe rotation.</summary>
public sealed class DisableCredentialModel(CredentialPortalDbContext db, ManagedApplications access, CredentialLifecycle lifecycle, TimeProvider time)
    : CredentialActionModel(db, access, lifecycle, time)
{
    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) => ChangeAsync(
        actor => Lifecycle.DisableAsync(Application, Credential, actor, ConfirmLastCredential, cancellationToken),
        () => $"{Described} of {Application.Name} is disabled: it can no longer obtain tokens. Enable it again if something still needed it.",
        cancellationToken);

    public Task<IActionResult> OnPostEnableAsync(CancellationToken cancellationToken) => ChangeAsync(
        actor => Lifecycle.EnableAsync(Application, Credential, actor, cancellationToken),
        () => $"{Described} of {Application.Name} is enabled again.",
        cancellationToken);
}
