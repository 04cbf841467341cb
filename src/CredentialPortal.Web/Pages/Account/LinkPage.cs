using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>A page opened from a one-time link (invitation or password reset).</summary>
public abstract class LinkPage(UserManager<PortalUser> users, OneTimeLinks links, LinkPurpose purpose) : AccountPage
{
    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    /// <summary>Set when the link cannot be used; the page shows it with a way forward instead of the form.</summary>
    public LinkStatus Status { get; protected set; } = LinkStatus.Valid;

    public PortalUser? LinkUser { get; private set; }

    protected UserManager<PortalUser> Users => users;

    protected async Task<bool> CheckLinkAsync()
    {
        LinkUser = UserId is null ? null : await users.FindByIdAsync(UserId);
        Status = LinkUser is null ? LinkStatus.NotValid : await links.CheckAsync(LinkUser, purpose, Code);
        return Status == LinkStatus.Valid;
    }
}
