using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using QRCoder;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// Authenticator enrolment, reachable only in the pending stage (after the password, an invitation link or an
/// authenticator reset): QR code and grouped key, one verified code, then the recovery codes, shown once.
/// </summary>
[AllowAnonymous]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class EnrolModel(
    UserManager<PortalUser> users,
    PortalSessions sessions,
    TotpAuthenticator authenticator,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db) : AccountPage
{
    public const int RecoveryCodeCount = 10;

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty, Required(ErrorMessage = "Enter the 6-digit code your authenticator app shows."), Display(Name = "Code from the app")]
    public string Code { get; set; } = "";

    public string Email { get; private set; } = "";
    public string GroupedKey { get; private set; } = "";
    public string QrCodeSvg { get; private set; } = "";

    /// <summary>Where "continue" leads once the recovery codes are saved.</summary>
    public string ContinueUrl { get; private set; } = "/";

    /// <summary>Set once enrolment succeeded: the page then shows these instead of the form.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await sessions.GetPendingUserAsync();
        if (user is null)
        {
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        if (user.TwoFactorEnabled)
        {
            return RedirectToPage("LoginWithCode", new { returnUrl = ReturnUrl });
        }

        return await ShowKeyAsync(user) ? Page() : RedirectToPage("Login");
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await sessions.GetPendingUserAsync();
        if (user is null || user.TwoFactorEnabled)
        {
            StatusMessage = "Your sign-in took too long or is no longer valid. Please sign in again.";
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        if (!await ShowKeyAsync(user))
        {
            return RedirectToPage("Login");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (!throttle.TryAcquire(HttpContext, user.Email))
        {
            return Throttled();
        }

        var actor = AuditActors.For(HttpContext, user);
        var check = await authenticator.CheckAsync(users, user, Code);
        if (check != TotpCheck.Accepted)
        {
            audit.Add(check == TotpCheck.Replayed ? AuditEventTypes.MfaReplay : AuditEventTypes.MfaFailed, actor, "enrolment",
                organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            ModelState.AddModelError("", "The code is not correct. Check that the app shows CredentialPortal with your email, then enter its current code.");
            return Page();
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        await users.ClearEnrolmentLinkAsync(user);
        RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount) ?? []];
        audit.Add(AuditEventTypes.MfaEnrolled, actor, organisationId: user.OrganisationId);
        await sessions.CompleteAsync(user);
        audit.Add(AuditEventTypes.LoginSucceeded, actor, "enrolment", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        ContinueUrl = LandingUrl(ReturnUrl);
        // Shown in this response only (not stored for a redirect), with no-store caching.
        return Page();
    }

    private async Task<bool> ShowKeyAsync(PortalUser user)
    {
        if (await users.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } key)
        {
            return false;
        }

        Email = user.Email ?? "";
        GroupedKey = TotpAuthenticator.FormatKey(key);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(TotpAuthenticator.AuthenticatorUri(Email, key), QRCodeGenerator.ECCLevel.M);
        QrCodeSvg = new SvgQRCode(data).GetGraphic(4);
        return true;
    }
}
