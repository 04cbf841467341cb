using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class RecoveryCodesModel(UserManager<PortalUser> users, AuditLog audit, CredentialPortalDbContext db) : AccountPage
{
    /// <summary>Set after generating: shown in that response only.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, EnrolModel.RecoveryCodeCount) ?? []];
        audit.Add(AuditEventTypes.RecoveryCodesRegenerated, AuditActors.For(HttpContext, user), organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return Page();
    }
}
