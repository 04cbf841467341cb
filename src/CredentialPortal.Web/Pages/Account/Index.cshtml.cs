using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>The signed-in user's account: overview, and "sign out of all sessions".</summary>
public sealed class IndexModel(UserManager<PortalUser> users, PortalSessions sessions, AuditLog audit, CredentialPortalDbContext db) : AccountPage
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
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        // A new security stamp invalidates every session cookie of this user on the next request, this one included.
        await users.UpdateSecurityStampAsync(user);
        audit.Add(AuditEventTypes.SignedOutEverywhere, AuditActors.For(HttpContext, user), organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        await sessions.SignOutAsync();
        StatusMessage = "You are signed out on every device and browser.";
        return RedirectToPage("Login");
    }
}
