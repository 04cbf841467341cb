using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>The invitation link: choose a password, then straight on to authenticator enrolment.</summary>
[AllowAnonymous]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class AcceptInvitationModel(PortalUserManager users, OneTimeLinks links, AccountChanges changes)
    : LinkPage(users, links, LinkPurpose.Invitation)
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

        var change = await changes.AcceptInvitationAsync(user, Input.Password);
        return change.Status == AccountChangeStatus.Done ? RedirectToPage("Enrol") : NewPasswordRefused(change);
    }

    private async Task<bool> CheckAsync()
    {
        var valid = await CheckLinkAsync();
        AlreadyAccepted = LinkUser is not null && await Users.HasPasswordAsync(LinkUser);
        if (valid && !AlreadyAccepted && !await changes.IsInvitationOpenAsync(LinkUser!))
        {
            // Disabled since the invitation was sent.
            Status = LinkStatus.NotValid;
        }

        return Status == LinkStatus.Valid && !AlreadyAccepted;
    }
}
