using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>The invitation link: choose a password, then straight on to authenticator enrolment.</summary>
[AllowAnonymous]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class AcceptInvitationModel(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    OneTimeLinks links,
    PortalSessions sessions,
    AuditLog audit,
    CredentialPortalDbContext db) : LinkPage(users, links, LinkPurpose.Invitation)
{
    [BindProperty]
    public NewPasswordInput Input { get; set; } = new();

    /// <summary>The link was used before: the invited person has a password already.</summary>
    public bool AlreadyAccepted { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await CheckAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await CheckAsync() || LinkUser is not { } user || !ModelState.IsValid)
        {
            return Page();
        }

        // Sets the password hash and changes the security stamp, which makes this link unusable from now on.
        var result = await Users.AddPasswordAsync(user, Input.Password);
        if (!result.Succeeded)
        {
            return NewPasswordRefused(result);
        }

        user.EmailConfirmed = true;
        await Users.UpdateAsync(user);
        // Enrolment reads the key; it is made here so that no GET changes state.
        await Users.ResetAuthenticatorKeyAsync(user);
        audit.Add(AuditEventTypes.InvitationAccepted, AuditActors.For(HttpContext, user), organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        await sessions.BeginAsync(user);
        return RedirectToPage("Enrol");
    }

    private async Task<bool> CheckAsync()
    {
        var valid = await CheckLinkAsync();
        AlreadyAccepted = LinkUser is not null && await Users.HasPasswordAsync(LinkUser);
        if (valid && !AlreadyAccepted && !await signIn.CanSignInAsync(LinkUser!))
        {
            // Disabled since the invitation was sent.
            Status = LinkStatus.NotValid;
        }

        return Status == LinkStatus.Valid && !AlreadyAccepted;
    }
}
