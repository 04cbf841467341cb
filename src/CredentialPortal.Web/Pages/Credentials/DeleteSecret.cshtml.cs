using CredentialPortal.Core.Data;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>Delete a secret after a confirmation that warns about recent use and about losing API access.</summary>
public sealed class DeleteSecretModel(CredentialPortalDbContext db, ManagedApplications access, SecretManagement secrets, TimeProvider time)
    : SecretActionModel(db, access, secrets, time)
{
    /// <summary>A secret used this recently is probably still in use somewhere.</summary>
    public static readonly TimeSpan RecentUse = TimeSpan.FromDays(7);

    public bool UsedRecently => Secret.LastUsedAt is { } used && Now - used < RecentUse;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        await Secrets.DeleteAsync(Application, Secret, AuditActors.Current(HttpContext), cancellationToken);
        return BackToList($"Secret “{Secret.Name}” ({Secret.Hint}…) of {Application.Name} is deleted. It no longer obtains tokens and gets no more reminders.");
    }
}
