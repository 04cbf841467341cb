using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Users;

namespace CredentialPortal.Core.Administration;

/// <summary>
/// The emails the administration commands queue whose content the web portal composes (a one-time link to one of its
/// pages, the address of a page): queued in the caller's unit of work, so each commits with the change it reports.
/// </summary>
public interface IAdministrationEmails
{
    /// <summary>The invitation with its one-time link, naming the applications the person will manage (if any yet).</summary>
    Task QueueInvitationAsync(PortalUser user, string organisationName, string invitedBy, IReadOnlyList<string> applications);

    /// <summary>The link to set up a new authenticator after an administrator reset the old one.</summary>
    Task QueueAuthenticatorResetAsync(PortalUser user, string resetBy);

    /// <summary>
    /// Tells the person what an administrator (<paramref name="by"/>) changed about their account: its state (disabled,
    /// enabled, unlocked) or the administrator role, so that a change they did not expect is noticed at once.
    /// </summary>
    void QueueAccountNotice(PortalUser user, UserAction action, string by);

    /// <summary>Tells the user at <paramref name="email"/> they became, or are no longer, a credential manager of the application.</summary>
    void QueueManagerRoleChange(string email, Application application, bool assigned);
}
