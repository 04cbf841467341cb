using System.Globalization;
using System.Text.Encodings.Web;
using CredentialPortal.Core.Administration;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Hosting;

namespace CredentialPortal.Web.Account;

/// <summary>
/// Invitation, password-reset and authenticator-reset emails (a one-time link, never a password), and the notices of a
/// lockout, a password change, a recovery code used, a passkey added or removed, and an administrator's change to the
/// account. They are queued in the email outbox; the
/// caller's SaveChanges commits them with the change that makes the link (a new security stamp, an invitation).
/// </summary>
public sealed class AccountEmails(EmailOutbox outbox, OneTimeLinks links, PortalAddress portal)
{
    /// <summary>The invitation, naming the applications the person will manage (<paramref name="applications"/>, if any yet).</summary>
    public async Task QueueInvitationAsync(PortalUser user, string organisationName, string invitedBy, IReadOnlyList<string> applications)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(applications);
        var link = await links.CreateAsync(user, LinkPurpose.Invitation);
        var valid = Describe(links.LifetimeOf(LinkPurpose.Invitation));
        var manages = applications.Count == 0 ? ""
            : $"\nYou will manage the client secrets of: {string.Join(", ", applications)}.\n";
        var managesHtml = applications.Count == 0 ? ""
            : $"<p>You will manage the client secrets of: {string.Join(", ", applications.Select(a => $"<strong>{Encode(a)}</strong>"))}.</p>";
        var text = $"""
            Hello {user.DisplayName},

            {invitedBy} invited you to Manage API Credentials for {organisationName}.
            {manages}
            Open this link to choose your password and set up your authenticator app (valid for {valid}, once):
            {link}

            If you did not expect this invitation, you can ignore this email.
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>{Encode(invitedBy)} invited you to Manage API Credentials for {Encode(organisationName)}.</p>
            {managesHtml}
            <p><a href="{Encode(link)}">Choose your password and set up your authenticator app</a> (valid for {valid}, once).</p>
            <p>If you did not expect this invitation, you can ignore this email.</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], "Your invitation to Manage API Credentials", text, html,
            IdentityKey(user, LinkPurpose.Invitation)), EmailKind.Invitation, organisationId: user.OrganisationId);
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
            IdentityKey(user, LinkPurpose.PasswordReset)), EmailKind.PasswordReset, organisationId: user.OrganisationId);
    }

    /// <summary>The link that sets up a new authenticator after a reset, by an administrator or (<paramref name="resetBy"/> null) by the user.</summary>
    public async Task QueueAuthenticatorResetAsync(PortalUser user, string? resetBy)
    {
        ArgumentNullException.ThrowIfNull(user);
        var link = await links.CreateAsync(user, LinkPurpose.AuthenticatorEnrolment);
        var valid = Describe(links.LifetimeOf(LinkPurpose.AuthenticatorEnrolment));
        var what = resetBy is null
            ? "You reset the authenticator app of your Manage API Credentials account on your account page."
            : $"{resetBy} reset the authenticator app (and removed any passkeys) of your Manage API Credentials account.";
        var text = $"""
            Hello {user.DisplayName},

            {what}
            Open this link to set up a new one; you will need your password (valid for {valid}, once):
            {link}

            If you did not ask for this, tell an administrator of the portal.
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>{Encode(what)}</p>
            <p><a href="{Encode(link)}">Set up a new authenticator app</a>; you will need your password (valid for {valid}, once).</p>
            <p>If you did not ask for this, tell an administrator of the portal.</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], "Set up your new authenticator app", text, html,
            IdentityKey(user, LinkPurpose.AuthenticatorEnrolment)), EmailKind.AuthenticatorReset, organisationId: user.OrganisationId);
    }

    /// <summary>What an administrator changed about someone's account, told to that person (see <see cref="IAdministrationEmails.QueueAccountNotice"/>).</summary>
    public void QueueAccountNotice(PortalUser user, UserAction action, string by)
    {
        ArgumentNullException.ThrowIfNull(user);
        var (subject, what, advice) = action switch
        {
            UserAction.Disable => ("Your Manage API Credentials account was disabled",
                $"{by} disabled your account: you are signed out everywhere and cannot sign in.",
                "If you think this is a mistake, contact an administrator of the portal."),
            UserAction.Enable => ("Your Manage API Credentials account was enabled",
                $"{by} enabled your account again: you can sign in.",
                "If you did not expect this, tell an administrator of the portal."),
            UserAction.Unlock => ("Your Manage API Credentials account was unlocked",
                $"{by} unlocked your account after failed sign-in attempts: you can sign in again.",
                "If those attempts were not yours, someone may be guessing your password: change it."),
            UserAction.MakeAdministrator => ("You are now an administrator of Manage API Credentials",
                $"{by} made you an administrator: you can now manage every organisation, application and user of the portal.",
                "If you did not expect this, tell another administrator of the portal at once."),
            UserAction.RemoveAdministrator => ("You are no longer an administrator of Manage API Credentials",
                $"{by} removed your administrator role: administration is closed to you from your next page.",
                "If you did not expect this, contact an administrator of the portal."),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "No notice for this action."),
        };
        var text = $"""
            Hello {user.DisplayName},

            {what}

            {advice}
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>{Encode(what)}</p>
            <p>{Encode(advice)}</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], subject, text, html, IdentityKey(user, action.ToString())), EmailKind.SecurityNotification,
            organisationId: user.OrganisationId);
    }

    /// <summary>Tells the owner that failed attempts locked the account, so that someone guessing is noticed.</summary>
    public void QueueLockoutNotice(PortalUser user, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(user);
        var lasting = Describe(duration);
        var reset = $"{portal.BaseUrl}/Account/ForgotPassword";
        var text = $"""
            Hello {user.DisplayName},

            Your Manage API Credentials account was locked for {lasting} after too many failed sign-in attempts.

            If these attempts were yours, wait and try again, or reset your password. If they were not, someone may be
            guessing your password: reset it, and tell an administrator of the portal.
            Reset your password: {reset}
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>Your Manage API Credentials account was <strong>locked for {lasting}</strong> after too many failed sign-in attempts.</p>
            <p>If these attempts were yours, wait and try again, or <a href="{Encode(reset)}">reset your password</a>. If they were not,
            someone may be guessing your password: <a href="{Encode(reset)}">reset it</a>, and tell an administrator of the portal.</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], "Your Manage API Credentials account was locked", text, html,
            IdentityKey(user, "lockout")), EmailKind.SecurityNotification, organisationId: user.OrganisationId);
    }

    /// <summary>Tells the owner a recovery code signed them in: someone holding their codes is then noticed.</summary>
    public void QueueRecoveryCodeUsed(PortalUser user, int left)
    {
        ArgumentNullException.ThrowIfNull(user);
        var remaining = left == 1 ? "1 recovery code is left" : $"{left} recovery codes are left";
        const string Advice = "If this was not you, someone has your password and a recovery code: reset your password, then set up a "
            + "new authenticator on your account page (which replaces every recovery code), and tell an administrator of the portal.";
        var text = $"""
            Hello {user.DisplayName},

            A recovery code was used to sign in to your Manage API Credentials account; {remaining}.

            {Advice}
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>A recovery code was used to sign in to your Manage API Credentials account; {remaining}.</p>
            <p>{Encode(Advice)}</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], "A recovery code was used to sign in to your account", text, html,
            IdentityKey(user, "recovery-code-used")), EmailKind.SecurityNotification, organisationId: user.OrganisationId);
    }

    /// <summary>Confirms a password change to the owner: a change they did not make is then noticed at once.</summary>
    public void QueuePasswordChanged(PortalUser user, string how)
    {
        ArgumentNullException.ThrowIfNull(user);
        var text = $"""
            Hello {user.DisplayName},

            The password of your Manage API Credentials account was changed ({how}).

            If this was not you, reset your password now and tell an administrator of the portal.
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>The password of your Manage API Credentials account was changed ({Encode(how)}).</p>
            <p>If this was not you, reset your password now and tell an administrator of the portal.</p>
            """;
        outbox.Add(new EmailMessage([user.Email!], "Your Manage API Credentials password was changed", text, html,
            IdentityKey(user, "password-changed")), EmailKind.SecurityNotification, organisationId: user.OrganisationId);
    }

    /// <summary>
    /// Tells the owner a passkey was added to or removed from the account: a change they did not make is then noticed.
    /// <paramref name="signedInWithCode"/>: an administrator's passkey registered from a session signed in with a code,
    /// the one way a relayed (phished) code could still give someone a lasting administrator's factor.
    /// </summary>
    public void QueuePasskeyChanged(PortalUser user, string passkeyName, bool added, bool signedInWithCode = false)
    {
        ArgumentNullException.ThrowIfNull(user);
        var what = added ? "added to" : "removed from";
        var how = signedInWithCode
            ? "It was registered in a session signed in with an authenticator code, not with a passkey. A code can be relayed by a "
              + "phishing site, so check that it was you: every administrator sees this registration on the administration dashboard."
            : null;
        var advice = added
            ? "If this was not you, remove it on your account page, change your password and tell an administrator of the portal."
            : "If this was not you, change your password and tell an administrator of the portal.";
        var text = $"""
            Hello {user.DisplayName},

            A passkey named "{passkeyName}" was {what} your Manage API Credentials account.
            {(how is null ? "" : Environment.NewLine + how + Environment.NewLine)}
            {advice}
            """;
        var html = $"""
            <p>Hello {Encode(user.DisplayName)},</p>
            <p>A passkey named <strong>{Encode(passkeyName)}</strong> was {what} your Manage API Credentials account.</p>
            {(how is null ? "" : $"<p><strong>{Encode(how)}</strong></p>")}
            <p>{advice}</p>
            """;
        var subject = signedInWithCode ? "A passkey was added to your administrator account: check it was you"
            : added ? "A passkey was added to your account" : "A passkey was removed from your account";
        outbox.Add(new EmailMessage([user.Email!], subject, text, html, IdentityKey(user, added ? "passkey-added" : "passkey-removed")),
            EmailKind.SecurityNotification, organisationId: user.OrganisationId);
    }

    /// <summary>Each queued email carries a new link, so each is its own event; the key holds nothing of the link.</summary>
    private static string IdentityKey(PortalUser user, LinkPurpose purpose) => IdentityKey(user, purpose.ToString());

    private static string IdentityKey(PortalUser user, string @event) =>
        string.Create(CultureInfo.InvariantCulture, $"account/{@event}/{user.Id:D}/{Guid.NewGuid():N}");

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    private static string Describe(TimeSpan lifetime) => lifetime switch
    {
        { TotalHours: 1 } => "1 hour",
        { TotalHours: > 1 } => string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalHours:0.#} hours"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalMinutes:0} minutes"),
    };
}
