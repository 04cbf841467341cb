using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>Delete a secret or key after a confirmation that warns about recent use and about losing API access.</summary>
public sealed class DeleteCredentialModel(CredentialPortalDbContext db, ManagedApplications access, CredentialLifecycle lifecycle, TimeProvider time)
    : CredentialActionModel(db, access, lifecycle, time)
{
    /// <summary>A credential used this recently is probably still in use somewhere.</summary>
    public static readonly TimeSpan RecentUse = TimeSpan.FromDays(7);

    public bool UsedRecently => Credential.LastUsedAt is { } used && Now - used < RecentUse;

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) => ChangeAsync(
        actor => Lifecycle.DeleteAsync(Application, Credential, actor, ConfirmLastCredential, cancellationToken),
        () => $"{Described} of {Application.Name} is deleted. It no longer obtains tokens and gets no more reminders.",
        cancellationToken);
}
