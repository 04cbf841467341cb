using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>The signed-in user's account: overview, and "sign out of all sessions".</summary>
public sealed class IndexModel(PortalUserManager users, AccountChanges changes, CredentialPortalDbContext db) : AccountPage
{
    public PortalUser Account { get; private set; } = null!;
    public string OrganisationName { get; private set; } = "";
    public int RecoveryCodesLeft { get; private set; }
    public int PasskeyCount { get; private set; }
    public IReadOnlyList<string> ManagedApplicationNames { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        Account = user;
        OrganisationName = await db.Organisations.Where(o => o.Id == user.OrganisationId).Select(o => o.Name).SingleAsync();
        RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
        PasskeyCount = (await users.GetPasskeysAsync(user)).Count;
        ManagedApplicationNames = await db.CredentialManagers.Where(m => m.UserId == user.Id)
            .Select(m => m.Application.Name).OrderBy(n => n).ToListAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        if ((await changes.SignOutEverywhereAsync()).Status == AccountChangeStatus.NotSignedIn)
        {
            return Challenge();
        }

        StatusMessage = "You are signed out on every device and browser.";
        return RedirectToPage("Login");
    }
}
