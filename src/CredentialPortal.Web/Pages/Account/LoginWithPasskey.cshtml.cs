using System.ComponentModel.DataAnnotations;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>A passkey as the second step after the password: only one of the pending user's passkeys is accepted.</summary>
[AllowAnonymous]
public sealed class LoginWithPasskeyModel(PortalSignIn signIn) : SecondFactorPage(signIn, SecondFactor.Passkey)
{
    /// <summary>The browser's answer (<c>navigator.credentials.get()</c>, as JSON).</summary>
    [BindProperty, Required(ErrorMessage = "Your browser sent no passkey."), StringLength(64 * 1024)]
    public string Credential { get; set; } = "";

    protected override string Answer => Credential;

    /// <summary>The request options for the script (JSON), limited to the pending user's passkeys.</summary>
    public async Task<IActionResult> OnPostOptionsAsync() =>
        await PortalSignIn.SecondFactorPasskeyOptionsAsync() is { } options
            ? Content(options, "application/json")
            : new JsonResult(new { error = "Your sign-in took too long. Please sign in again.", redirect = Url.Page("Login") })
            {
                StatusCode = StatusCodes.Status400BadRequest,
            };
}

/// <summary>The "use your passkey" form (<c>_PasskeySignIn</c>): the page that answers it, and where to go after.</summary>
public sealed record PasskeySignInForm(string Page, string? ReturnUrl);
