using System.Globalization;
using System.Security.Claims;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

/// <summary>
/// The two stages of a portal session. After the password (or an invitation link) the user holds only a short
/// "pending" cookie (Identity's two-factor user-id scheme) that the second-factor and enrolment pages read; the
/// application cookie, carrying <c>amr=mfa</c>, is issued only after the second factor.
/// </summary>
public sealed class PortalSessions(
    IHttpContextAccessor contextAccessor,
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    CredentialPortalDbContext db,
    TimeProvider time,
    IOptions<IdentityOptions> identity,
    IOptions<AccountOptions> account)
{
    public const string AuthenticationMethodClaim = "amr";
    public const string MultiFactor = "mfa";

    /// <summary>
    /// RFC 8176 "pop" (proof of possession of a key), added when the session was signed in with a passkey: the
    /// phishing-resistant factor. Not "hwk": a synced passkey's key is not necessarily held in hardware.
    /// </summary>
    public const string ProofOfPossession = "pop";

    /// <summary>Sign-in instant (Unix seconds); the absolute lifetime counts from it, whatever sliding renewals do.</summary>
    public const string AuthTimeClaim = "auth_time";

    /// <summary>
    /// Marks a session of an administrator that the administrator policy holds back (signed in without a passkey):
    /// it carries no Administrator role, so that it neither opens administration pages nor acts as administrator
    /// elsewhere, and this claim sends it to confirm with a passkey instead of to "access denied".
    /// </summary>
    public const string AdministratorNeedsPasskeyClaim = "admin_needs_passkey";

    private const string PendingStampClaim = "pending_stamp";

    private HttpContext Http => contextAccessor.HttpContext ?? throw new InvalidOperationException("No current request.");

    /// <summary>Remembers that the password step (or an invitation) was completed for this user.</summary>
    public async Task BeginAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identityClaims = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
        identityClaims.AddClaim(new Claim(ClaimTypes.Name, user.Id.ToString("D")));
        identityClaims.AddClaim(new Claim(PendingStampClaim, await users.GetSecurityStampAsync(user)));
        await Http.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(identityClaims));
    }

    /// <summary>The user who completed the first step in this browser, if that is still valid.</summary>
    public async Task<PortalUser?> GetPendingUserAsync()
    {
        var result = await Http.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        if (result.Principal?.FindFirstValue(ClaimTypes.Name) is not { } id
            || await users.FindByIdAsync(id) is not { } user
            || !await signIn.CanSignInAsync(user)
            || result.Principal.FindFirstValue(PendingStampClaim) != await users.GetSecurityStampAsync(user))
        {
            return null;
        }

        return user;
    }

    /// <summary>
    /// Issues the full session after the second factor (or a passwordless passkey) and drops the pending one; a session
    /// signed in with a passkey carries <c>amr=pop</c> besides <c>amr=mfa</c>.
    /// </summary>
    public async Task CompleteAsync(PortalUser user, bool withPasskey = false)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = time.GetUtcNow();
        user.LastSignInAt = now.UtcDateTime;
        await users.ResetAccessFailedCountAsync(user);
        await users.UpdateAsync(user);

        var principal = await signIn.CreateUserPrincipalAsync(user);
        var claims = (ClaimsIdentity)principal.Identity!;
        claims.AddClaim(new Claim(AuthenticationMethodClaim, MultiFactor));
        if (withPasskey)
        {
            claims.AddClaim(new Claim(AuthenticationMethodClaim, ProofOfPossession));
        }

        claims.AddClaim(new Claim(AuthTimeClaim, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        await Http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await Http.SignInAsync(IdentityConstants.ApplicationScheme, principal, new AuthenticationProperties { IsPersistent = false });
        // The rest of this request (e.g. the page showing the recovery codes) renders as signed in.
        Http.User = principal;
    }

    /// <summary>The sign-in page's query parameter saying that the session ended (idle timeout, or signed out elsewhere).</summary>
    public const string EndedParameter = "ended";

    /// <summary>Fully signed in: both factors (a password-only or pending session is not).</summary>
    public static bool IsSignedIn(ClaimsPrincipal user) =>
        user?.HasClaim(AuthenticationMethodClaim, MultiFactor) == true;

    /// <summary>The session was signed in with a passkey (see <see cref="ProofOfPossession"/>).</summary>
    public static bool IsPhishingResistant(ClaimsPrincipal user) =>
        user?.HasClaim(AuthenticationMethodClaim, ProofOfPossession) == true;

    public async Task SignOutAsync()
    {
        await Http.SignOutAsync(IdentityConstants.ApplicationScheme);
        await Http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
    }

    /// <summary>
    /// Runs on every request that carries the application cookie: one indexed query decides whether the session
    /// still stands (absolute lifetime, security stamp, disabled user, inactive organisation) and refreshes the
    /// role claims, so a role removal counts from the next request (and the administrator policy applies at once).
    /// </summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The error page that explains a database outage must render without the database: as signed out, for this
        // response only (the cookie stays).
        if (context.HttpContext.Features.Get<IExceptionHandlerFeature>() is { } failure && DatabaseOutage.IsOutage(failure.Error))
        {
            context.RejectPrincipal();
            return;
        }

        var sessions = context.HttpContext.RequestServices.GetRequiredService<PortalSessions>();
        var refreshed = await sessions.RefreshAsync(context.Principal);
        if (refreshed is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        context.ReplacePrincipal(refreshed);
    }

    private async Task<ClaimsPrincipal?> RefreshAsync(ClaimsPrincipal? principal)
    {
        var claimTypes = identity.Value.ClaimsIdentity;
        if (principal?.Identity is not ClaimsIdentity current
            || !Guid.TryParse(principal.FindFirstValue(claimTypes.UserIdClaimType), out var userId)
            || !long.TryParse(principal.FindFirstValue(AuthTimeClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var authTime)
            || !principal.HasClaim(AuthenticationMethodClaim, MultiFactor))
        {
            return null;
        }

        if (time.GetUtcNow() > DateTimeOffset.FromUnixTimeSeconds(authTime) + account.Value.AbsoluteLifetime)
        {
            return null;
        }

        var row = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Where(PortalSignInManager.MaySignIn)
            .Select(u => new
            {
                u.SecurityStamp,
                Roles = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).ToList(),
            })
            .SingleOrDefaultAsync();
        if (row is null || row.SecurityStamp != principal.FindFirstValue(claimTypes.SecurityStampClaimType))
        {
            return null;
        }

        var refreshed = new ClaimsIdentity(current.Claims.Where(c => c.Type != claimTypes.RoleClaimType && c.Type != AdministratorNeedsPasskeyClaim),
            current.AuthenticationType, current.NameClaimType, current.RoleClaimType);
        var roles = row.Roles.OfType<string>().ToList();
        if (account.Value.RequirePhishingResistantMfaForAdministrators && !IsPhishingResistant(principal) && roles.Remove(PortalRole.Administrator))
        {
            refreshed.AddClaim(new Claim(AdministratorNeedsPasskeyClaim, "true"));
        }

        refreshed.AddClaims(roles.Select(r => new Claim(claimTypes.RoleClaimType, r)));
        return new ClaimsPrincipal(refreshed);
    }
}
