using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginWithRecoveryCodeModel(
    UserManager<PortalUser> users,
    PortalSessions sessions,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db) : SecondFactorPage(users, sessions, throttle, audit, db)
{
    [BindProperty, Required(ErrorMessage = "Enter one of your recovery codes."), StringLength(64), Display(Name = "Recovery code")]
    public string Code { get; set; } = "";

    protected override string Method => "recovery code";

    protected override async Task<(bool, string, string)> VerifyAsync(PortalUser user, AuditActor actor)
    {
        // Each code works once: Identity removes it; the user's concurrency stamp settles two racing redemptions.
        var result = await Users.RedeemTwoFactorRecoveryCodeAsync(user, RecoveryCode.Normalise(Code));
        if (!result.Succeeded)
        {
            return (false, AuditEventTypes.MfaFailed, "That recovery code is not valid (each code works only once).");
        }

        var left = await Users.CountRecoveryCodesAsync(user);
        Audit.Add(AuditEventTypes.RecoveryCodeUsed, actor, $"{left} recovery codes left", organisationId: user.OrganisationId);
        StatusMessage = left <= 3
            ? $"Signed in with a recovery code. You have {left} recovery codes left: generate new ones on your account page."
            : $"Signed in with a recovery code. You have {left} recovery codes left.";
        return (true, "", "");
    }
}
