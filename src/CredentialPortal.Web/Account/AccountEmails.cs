using System.Globalization;
using System.Text.Encodings.Web;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Email.Outbox;
using CredentialPortal.Core.Users;

namespace CredentialPortal.Web.Account;

/// <summary>
/// Invitation, password-reset and authenticator-reset emails: a one-time link, never a password. They are queued in the email outbox; the
/// caller's SaveChanges commits them with the change that makes the link (a new security stamp, an invitation).
/// </summary>
public sealed class AccountEmails(EmailOutbox outbox, OneTimeLinks links)
{
    public async Task QueueInvitationAsync(PortalUser user, string organisationName, string invitedBy)
    {
        ArgumentNullException.ThrowIfNull(user);
        var link = await links.CreateAsync(user, LinkPurpose.Invitation);
        var valid = Describe(links.LifetimeOf(LinkPurpose.Invitation));
        var text = $"""
            Hello {user.DisplayName},

            {invitedBy} invited you to Manage API Credentials for {organisationName}.

            Open this link to choose your password and set up your authenticator app (valid for {valid}, once):
            {link}

            If you did not expect this invitation, you can ignore this email.
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>{Encode(invitedBy)} invited you to Manage API Credentials for {Encode(organisationName)}.</p>
            <p><a href="{Encode(link)}">Choose your password and set up your authenticator app</a> (valid for {valid}, once).</p>
            <p>If you did not expect this invitation, you can ignore this email.</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], "Your invitation to Manage API Credentials", text, html,
            IdentityKey(user, LinkPurpose.Invitation)), OutboxEmailKind.Invitation, organisationId: user.OrganisationId);
    }

    public async Task QueuePasswordResetAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var link = await links.CreateAsync(user, LinkPurpose.PasswordReset);
        var valid = Describe(links.LifetimeOf(LinkPurpose.PasswordReset));
        var text = $"""
            Hello {user.DisplayName},

            Someone asked to reset the password of your Manage API Credentials account.
            Open this link to choose a new password (valid for {valid}, once):
            {link}

            If this was not you, ignore this email: your password stays as it is.
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>Someone asked to reset the password of your Manage API Credentials account.</p>
            <p><a href="{Encode(link)}">Choose a new password</a> (valid for {valid}, once).</p>
            <p>If this was not you, ignore this email: your password stays as it is.</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], "Reset your Manage API Credentials password", text, html,
            IdentityKey(user, LinkPurpose.PasswordReset)), OutboxEmailKind.PasswordReset, organisationId: user.OrganisationId);
    }

    public async Task QueueAuthenticatorResetAsync(PortalUser user, string resetBy)
    {
        ArgumentNullException.ThrowIfNull(user);
        var link = await links.CreateAsync(user, LinkPurpose.AuthenticatorEnrolment);
        var valid = Describe(links.LifetimeOf(LinkPurpose.AuthenticatorEnrolment));
        var text = $"""
            Hello {user.DisplayName},

            {resetBy} reset the authenticator app of your Manage API Credentials account.
            Open this link to set up a new one; you will need your password (valid for {valid}, once):
            {link}

            If you did not ask for this, tell an administrator of the portal.
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>{Encode(resetBy)} reset the authenticator app of your Manage API Credentials account.</p>
            <p><a href="{Encode(link)}">Set up a new authenticator app</a>; you will need your password (valid for {valid}, once).</p>
            <p>If you did not ask for this, tell an administrator of the portal.</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], "Set up your new authenticator app", text, html,
            IdentityKey(user, LinkPurpose.AuthenticatorEnrolment)), OutboxEmailKind.AuthenticatorReset, organisationId: user.OrganisationId);
    }

    /// <summary>Each queued email carries a new link, so each is its own event; the key holds nothing of the link.</summary>
    private static string IdentityKey(PortalUser user, LinkPurpose purpose) =>
        string.Create(CultureInfo.InvariantCulture, $"account/{purpose}/{user.Id:D}/{Guid.NewGuid():N}");

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    private static string Describe(TimeSpan lifetime) => lifetime switch
    {
        { TotalHours: 1 } => "1 hour",
        { TotalHours: > 1 } => string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalHours:0.#} hours"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalMinutes:0} minutes"),
    };
}
