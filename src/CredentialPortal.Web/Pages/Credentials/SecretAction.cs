using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// Base of the confirm-then-act pages for one secret: loads the application the user manages and the secret of
/// that application, or answers 404 (a secret id of another application is simply not found).
/// </summary>
public abstract class SecretActionModel(CredentialPortalDbContext db, ManagedApplications access, SecretManagement secrets, TimeProvider time)
    : PageModel
{
    [FromRoute]
    public int ApplicationId { get; set; }

    [FromRoute]
    public int SecretId { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public Application Application { get; private set; } = null!;
    public ClientSecret Secret { get; private set; } = null!;
    public bool IsOnlyActiveSecret { get; private set; }
    public DateTime Now => time.GetUtcNow().UtcDateTime;
    protected SecretManagement Secrets => secrets;

    protected async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return false;
        }

        var secret = await db.ClientSecrets.SingleOrDefaultAsync(s => s.Id == SecretId && s.ApplicationId == application.Id, cancellationToken);
        if (secret is null)
        {
            return false;
        }

        Application = application;
        Secret = secret;
        IsOnlyActiveSecret = secret.IsUsableAt(Now) && await secrets.IsOnlyActiveSecretAsync(secret, cancellationToken);
        return true;
    }

    protected IActionResult BackToList(string message)
    {
        StatusMessage = message;
        return Redirect("/manage-api-credentials");
    }
}
