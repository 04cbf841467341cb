using System.ComponentModel.DataAnnotations;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginWithRecoveryCodeModel(PortalSignIn signIn) : SecondFactorPage(signIn, SecondFactor.RecoveryCode)
{
    [BindProperty, Required(ErrorMessage = "Enter one of your recovery codes."), StringLength(64), Display(Name = "Recovery code")]
    public string Code { get; set; } = "";

    protected override string Answer => Code;
}
