using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// Step-up for the administrator policy: a session signed in with a code confirms with one of the user's passkeys and
/// is issued again as a passkey session (<c>amr=pop</c>). Without a passkey yet, the user registers one first.
/// </summary>
public sealed class ConfirmPasskeyModel(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    PortalSessions sessions,
    AuditLog audit,
    CredentialPortalDbContext db) : AccountPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty, Required(ErrorMessage = "Your browser sent no passkey."), StringLength(64 * 1024)]
    public string Credential { get; set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        return (await users.GetPasskeysAsync(user)).Count == 0
            ? RedirectToPage("Passkeys", new { returnUrl = LocalOrNull(ReturnUrl) })
            : Page();
    }

    public async Task<IActionResult> OnPostOptionsAsync() =>
        await users.GetUserAsync(User) is { } user
            ? Content(await signIn.MakePasskeyRequestOptionsAsync(user), "application/json")
            : Challenge();

    public async Task<IActionResult> OnPostAsync()
    {
        var (user, answer) = await BeginRecheckAsync(users);
        if (user is null)
        {
            return answer!;
        }

        var result = await signIn.PerformPasskeyAssertionAsync(Credential);
        if (!result.Succeeded || result.User.Id != user.Id)
        {
            return await RecheckFailedAsync(users, user, AuditEventTypes.MfaFailed, "passkey confirmation", "passkey confirmation", "",
                "That passkey was not accepted. Try again with one of the passkeys on your account page.");
        }

        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        await sessions.CompleteAsync(user, withPasskey: true);
        audit.Add(AuditEventTypes.LoginSucceeded, AuditActors.For(HttpContext, user), "passkey (confirmation)", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return LocalRedirect(SafeReturnUrl(ReturnUrl));
    }
}
