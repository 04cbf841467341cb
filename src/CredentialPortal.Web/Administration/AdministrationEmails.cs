using CredentialPortal.Core.Administration;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;

namespace CredentialPortal.Web.Administration;

/// <summary>The administration's emails as the portal composes them: one-time links (<see cref="AccountEmails"/>) and page addresses.</summary>
public sealed class AdministrationEmails(AccountEmails accountEmails, EmailOutbox outbox, PortalAddress portal) : IAdministrationEmails
{
    public Task QueueInvitationAsync(PortalUser user, string organisationName, string invitedBy, IReadOnlyList<string> applications) =>
        accountEmails.QueueInvitationAsync(user, organisationName, invitedBy, applications);

    public Task QueueAuthenticatorResetAsync(PortalUser user, string resetBy) => accountEmails.QueueAuthenticatorResetAsync(user, resetBy);

    public void QueueAccountNotice(PortalUser user, UserAction action, string by) => accountEmails.QueueAccountNotice(user, action, by);

    public void QueueManagerRoleChange(string email, Application application, bool assigned)
    {
        ArgumentNullException.ThrowIfNull(application);
        outbox.Add(ManagerRoleEmail.Compose(email, application, assigned, portal.BaseUrl), EmailKind.ManagerRole,
            application.OrganisationId, application.Id);
    }
}
