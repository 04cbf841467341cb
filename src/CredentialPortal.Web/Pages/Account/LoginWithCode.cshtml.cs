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
public sealed class LoginWithCodeModel(
    UserManager<PortalUser> users,
    PortalSessions sessions,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db,
    TotpAuthenticator authenticator) : SecondFactorPage(users, sessions, throttle, audit, db)
{
    [BindProperty, Required(ErrorMessage = "Enter the 6-digit code from your authenticator app."), Display(Name = "Authentication code")]
    public string Code { get; set; } = "";

    protected override string Method => "authenticator code";

    protected override async Task<(bool, string, string)> VerifyAsync(PortalUser user, AuditActor actor) =>
        await authenticator.CheckAsync(Users, user, Code) switch
        {
            TotpCheck.Accepted => (true, "", ""),
            TotpCheck.Replayed => (false, AuditEventTypes.MfaReplay,
                "This code was already used. Wait for your authenticator app to show the next code."),
            _ => (false, AuditEventTypes.MfaFailed, "The code is not correct. Check your device's clock and try the current code."),
        };
}
