using System.Globalization;

namespace CredentialPortal.Web.Account;

/// <summary>
/// What the account services tell the person when a step is refused: one place for the words, because several of them
/// are deliberately the same answer for different causes (an unknown address, a wrong password and a locked account).
/// </summary>
public static class AccountMessages
{
    public const string GenericSignInFailure = "The email address or password is not correct.";
    public const string LockedOutMessage = "Too many failed attempts: this account is locked";
    public const string ThrottledMessage = "Too many attempts from here. Wait a minute and try again.";
    public const string PendingSignInGone = "Your sign-in took too long or is no longer valid. Please sign in again.";
    public const string PasswordWrong = "The password is not correct.";
    public const string CurrentPasswordWrong = "The current password is not correct.";

    public const string PasskeyNotAccepted =
        "That passkey was not accepted: it may belong to another site or have been removed. Sign in with your password instead.";

    public const string AuthenticatorResetEmailed =
        "Your authenticator app and recovery codes no longer work, and you are signed out everywhere. " +
        "We emailed you a link: open it on this device to set up your new authenticator app.";

    public const string EnrolmentLinkNeeded =
        "Your authenticator was reset. To set up a new one, open the link in the email we sent you about it. " +
        "If the link has expired, ask an administrator to reset your authenticator again.";

    public const string CodeWrong = "The code is not correct. Check your device's clock and try the current code.";
    public const string CodeReplayed = "This code was already used. Wait for your authenticator app to show the next code.";
    public const string RecoveryCodeWrong = "That recovery code is not valid (each code works only once).";
    public const string SecondFactorPasskeyWrong = "That passkey was not accepted. Try again, or use a code from your authenticator app.";
    public const string ConfirmationPasskeyWrong = "That passkey was not accepted. Try again with one of the passkeys on your account page.";
    public const string EnrolmentCodeWrong =
        "The code is not correct. Check that the app shows CredentialPortal with your email, then enter its current code.";

    /// <summary>How long a lockout lasts, for messages: "15 minutes", "1 hour", "2 hours".</summary>
    public static string Describe(TimeSpan duration) => duration switch
    {
        { TotalMinutes: 1 } => "1 minute",
        { TotalHours: 1 } => "1 hour",
        { TotalHours: > 1 } when duration.TotalHours % 1 == 0 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalHours:0} hours"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0} minutes"),
    };

    /// <summary>Shown when the password was wrong, whatever the state of the account (unknown, locked or disabled).</summary>
    public static string SignInFailure(AccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture,
            $"{GenericSignInFailure} After {options.MaxFailedAttempts} failed attempts in a row an account is locked for {Describe(options.LockoutDuration)}.");
    }

    public static string LockedOut(AccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"{LockedOutMessage} for {Describe(options.LockoutDuration)}. Try again after that, or reset your password.";
    }

    /// <summary>Only to someone who gave the right password or a passkey: that the account may not sign in, and whom to ask.</summary>
    public static string Refused(SignInRefusal refusal, string? administratorsEmail)
    {
        var whom = administratorsEmail is { Length: > 0 } email
            ? $"the portal's administrators ({email.Trim()})"
            : "an administrator of the portal";
        return refusal == SignInRefusal.OrganisationDeactivated
            ? $"Your organisation's access to the portal is deactivated. Ask {whom} about it."
            : $"This account is disabled. Ask {whom} to enable it again.";
    }
}
