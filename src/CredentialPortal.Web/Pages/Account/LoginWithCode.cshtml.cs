using System.ComponentModel.DataAnnotations;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginWithCodeModel(PortalSignIn signIn) : SecondFactorPage(signIn, SecondFactor.AuthenticatorCode)
{
    [BindProperty, Required(ErrorMessage = "Enter the 6-digit code from your authenticator app."), Display(Name = "Authentication code")]
    public string Code { get; set; } = "";

    protected override string Answer => Code;
}
