using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

/// <summary>Configuration section <c>Account</c>: sessions, one-time links, lockout and login throttling.</summary>
public sealed class AccountOptions : IValidatableObject
{
    public const string SectionName = "Account";

    /// <summary>A session ends after this long without a request (sliding). Default 20 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>A session ends this long after sign-in, however active it is. Default 8 hours.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long the link in an invitation email works. Default 72 hours.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromHours(72);

    /// <summary>How long a "forgot password" link works. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "2.00:00:00")]
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the link emailed after an administrator reset someone's authenticator works. Default 72 hours.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")]
    public TimeSpan EnrolmentLinkLifetime { get; set; } = TimeSpan.FromHours(72);

    /// <summary>Time to enter the second factor after the password step. Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan SecondFactorTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed passwords and codes (together) before an account is locked. Default 5.</summary>
    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long a locked account stays locked. Default 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in, code and reset-request posts allowed per client address per minute. Default 30.</summary>
    [Range(1, 10_000)]
    public int AttemptsPerAddressPerMinute { get; set; } = 30;

    /// <summary>Sign-in and code posts allowed per account (email) per minute, from any address. Default 10.</summary>
    [Range(1, 10_000)]
    public int AttemptsPerAccountPerMinute { get; set; } = 10;

    /// <summary>
    /// When true, administrators must sign in with a passkey (WebAuthn, phishing-resistant) to open administration
    /// pages: one without a passkey is asked to register one at the next sign-in, and a session signed in with an
    /// authenticator code or a recovery code no longer opens them. Default false.
    /// </summary>
    public bool RequirePhishingResistantMfaForAdministrators { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AbsoluteLifetime < IdleTimeout)
        {
            yield return new ValidationResult("Account:AbsoluteLifetime must not be shorter than Account:IdleTimeout.");
        }
    }
}

[OptionsValidator]
internal sealed partial class AccountOptionsValidator : IValidateOptions<AccountOptions>;
