using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.Core.Users;

/// <summary>
/// After an administrator reset someone's authenticator, the password alone does not start a new enrolment: a stolen
/// password would otherwise be enough to register the thief's authenticator. The person opens the one-time link
/// emailed with the reset (the portal's authenticator-enrolment link) and confirms with the password. The
/// requirement is kept with Identity's other authenticator state, as a user token.
/// </summary>
public static class EnrolmentByLink
{
    private const string Provider = "[CredentialPortal]";
    private const string Name = "EnrolmentNeedsEmailedLink";

    public static Task RequireEnrolmentLinkAsync(this UserManager<PortalUser> users, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        return users.SetAuthenticationTokenAsync(user, Provider, Name, "true");
    }

    public static async Task<bool> NeedsEnrolmentLinkAsync(this UserManager<PortalUser> users, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        return await users.GetAuthenticationTokenAsync(user, Provider, Name) is not null;
    }

    public static Task ClearEnrolmentLinkAsync(this UserManager<PortalUser> users, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        return users.RemoveAuthenticationTokenAsync(user, Provider, Name);
    }
}
