using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

public enum LinkPurpose
{
    Invitation,
    PasswordReset,

    /// <summary>Set up a new authenticator after an administrator reset the old one.</summary>
    AuthenticatorEnrolment,
}

public enum LinkStatus
{
    Valid,
    Expired,

    /// <summary>Already used, superseded by a newer link, or not a link this portal made.</summary>
    NotValid,
}

/// <summary>
/// One-time links for invitations, password resets and enrolment after an authenticator reset. The token is encrypted with the data-protection key ring and
/// names the user, the purpose, when it was made and the user's security stamp at that moment. Using a link changes
/// the stamp (setting a password does), so a used link fails; expiry is checked on the injected clock.
/// </summary>
public sealed class OneTimeLinks(
    IDataProtectionProvider dataProtection,
    UserManager<PortalUser> users,
    TimeProvider time,
    IOptions<AccountOptions> account,
    PortalAddress portal)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("CredentialPortal.Account.OneTimeLinks.v1");

    /// <summary>An absolute link (from <c>Portal:BaseUrl</c>) to the page that consumes it.</summary>
    public async Task<string> CreateAsync(PortalUser user, LinkPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(user);
        var stamp = await users.GetSecurityStampAsync(user);
        var payload = string.Join('\n', purpose.ToString(), user.Id.ToString("D"),
            time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), stamp);
        var token = WebEncoders.Base64UrlEncode(_protector.Protect(Encoding.UTF8.GetBytes(payload)));
        var page = purpose switch
        {
            LinkPurpose.Invitation => "/Account/AcceptInvitation",
            LinkPurpose.PasswordReset => "/Account/ResetPassword",
            _ => "/Account/EnrolFromLink",
        };
        return $"{portal.BaseUrl}{page}?user={user.Id:D}&code={token}";
    }

    public TimeSpan LifetimeOf(LinkPurpose purpose) => purpose switch
    {
        LinkPurpose.Invitation => account.Value.InvitationLifetime,
        LinkPurpose.PasswordReset => account.Value.PasswordResetLifetime,
        _ => account.Value.EnrolmentLinkLifetime,
    };

    public async Task<LinkStatus> CheckAsync(PortalUser user, LinkPurpose purpose, string? code)
    {
        ArgumentNullException.ThrowIfNull(user);
        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(_protector.Unprotect(WebEncoders.Base64UrlDecode(code ?? ""))).Split('\n');
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return LinkStatus.NotValid;
        }

        if (parts.Length != 4 || parts[0] != purpose.ToString() || parts[1] != user.Id.ToString("D")
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            return LinkStatus.NotValid;
        }

        if (time.GetUtcNow() > DateTimeOffset.FromUnixTimeSeconds(issued) + LifetimeOf(purpose))
        {
            return LinkStatus.Expired;
        }

        var stamp = await users.GetSecurityStampAsync(user);
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(parts[3]), Encoding.UTF8.GetBytes(stamp))
            ? LinkStatus.Valid
            : LinkStatus.NotValid;
    }
}
