using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.Core.Users;

/// <summary>
/// After an authenticator reset (by an administrator, or by the person on their account page), the password alone does
/// not start a new enrolment: a stolen password would otherwise be enough to register the thief's authenticator. The
/// person opens the one-time link emailed with the reset (the portal's authenticator-enrolment link) and confirms with
/// the password. The requirement is kept with Identity's other authenticator state, as a user token.
/// </summary>
public static class EnrolmentByLink
{
    private const string Provider = "[CredentialPortal]";
    private const string Name = "EnrolmentNeedsEmailedLink";

    /// <summary>
    /// The reset itself: the authenticator key and every recovery code stop working, the new security stamp ends every
    /// session and any earlier enrolment link, and only the link the caller emails next leads to a new enrolment.
    /// </summary>
    public static async Task ResetAuthenticatorAsync(this UserManager<PortalUser> users, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await users.RemoveAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey");
        await users.UpdateSecurityStampAsync(user);
        await users.RequireEnrolmentLinkAsync(user);
    }

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
