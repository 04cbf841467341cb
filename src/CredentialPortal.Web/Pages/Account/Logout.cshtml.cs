using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>POST only (antiforgery-protected): a link or image cannot sign anyone out.</summary>
[AllowAnonymous]
public sealed class LogoutModel(PortalSessions sessions) : AccountPage
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        await sessions.SignOutAsync();
        StatusMessage = "You are signed out.";
        return RedirectToPage("Login");
    }
}
