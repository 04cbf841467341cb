using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// The user's passkeys: register one (with a name, after entering the password again), rename, remove (after a
/// confirmation with the password). <see cref="AccountChanges"/> makes each change, audits it and emails the owner.
/// </summary>
public sealed class PasskeysModel(PortalUserManager users, AccountPasskeys passkeys, AccountChanges changes, PortalAddress address) : AccountPage
{
    /// <summary>Why passkeys cannot work here (an IP address), with what to do; the form is not offered then.</summary>
    public string? Unavailable => address.PasskeysUnavailableAt(Request.Host.Host);

    [BindProperty, StringLength(AccountPasskeys.MaxNameLength), PlainText, Display(Name = "Name of the passkey")]
    public string? Name { get; set; }

    [BindProperty, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength), Display(Name = "Your password")]
    public string? Password { get; set; }

    /// <summary>The browser's answer (<c>navigator.credentials.create()</c>, as JSON).</summary>
    [BindProperty, StringLength(64 * 1024)]
    public string? Credential { get; set; }

    [BindProperty]
    public string? PasskeyId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IReadOnlyList<PasskeyListing> Passkeys { get; private set; } = [];

    /// <summary>The administrator policy applies and there is no passkey yet: registering one is the next step.</summary>
    public bool Required { get; private set; }

    /// <summary>The passkey whose removal is being confirmed (<c>?remove=</c>), if any.</summary>
    public PasskeyListing? Removing { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? remove)
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        await ShowAsync(user);
        Removing = Passkeys.FirstOrDefault(p => p.Id == remove);
        return Page();
    }

    /// <summary>Step one of registering (JSON for the script): the password again, then the creation options.</summary>
    public async Task<IActionResult> OnPostCreationOptionsAsync()
    {
        if ((NameProblem() ?? (ModelState.IsValid ? null : "Check the name and the password.")) is { } problem)
        {
            return JsonError(problem);
        }

        var change = await changes.PasskeyCreationOptionsAsync(Password);
        switch (change.Status)
        {
            case AccountChangeStatus.Done:
                return Content(change.PasskeyOptionsJson!, "application/json");
            case AccountChangeStatus.NotSignedIn:
                return Challenge();
            case AccountChangeStatus.Throttled:
                return JsonError(AccountMessages.ThrottledMessage, StatusCodes.Status429TooManyRequests);
            case AccountChangeStatus.LockedOut:
                AlertMessage = change.Problems[0];
                return new JsonResult(new { error = AlertMessage, redirect = Url.Page("Login") }) { StatusCode = StatusCodes.Status400BadRequest };
            default:
                return JsonError(change.Problems[0]);
        }
    }

    /// <summary>Step two: the browser's answer is checked (challenge, origin, relying party) and the passkey stored.</summary>
    public async Task<IActionResult> OnPostRegisterAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if ((NameProblem() ?? (string.IsNullOrEmpty(Credential) ? "Your browser sent no passkey." : null)) is { } problem)
        {
            ModelState.AddModelError("", problem);
        }

        if (!ModelState.IsValid)
        {
            return await ShowAsync(user);
        }

        var change = await changes.RegisterPasskeyAsync(Name!, Credential!);
        if (change.Status != AccountChangeStatus.Done)
        {
            Refused(change.Problems);
            return await ShowAsync(user);
        }

        StatusMessage = $"The passkey \"{change.PasskeyName}\" is registered.";
        // Under the administrator policy a session signed in with a code now confirms with the new passkey.
        return change.ConfirmWithPasskeyNext
            ? RedirectToPage("ConfirmPasskey", new { returnUrl = LocalOrNull(ReturnUrl) })
            : RedirectToPage(new { returnUrl = LocalOrNull(ReturnUrl) });
    }

    public async Task<IActionResult> OnPostRenameAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if (NameProblem() is { } problem)
        {
            ModelState.AddModelError("", problem);
        }

        if (!ModelState.IsValid)
        {
            return await ShowAsync(user);
        }

        var change = await changes.RenamePasskeyAsync(PasskeyId, Name!);
        if (change.Status == AccountChangeStatus.NotFound)
        {
            return NotFound();
        }

        StatusMessage = $"The passkey is now called \"{change.PasskeyName}\".";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        var change = await changes.RemovePasskeyAsync(PasskeyId, Password);
        switch (change.Status)
        {
            case AccountChangeStatus.Done:
                StatusMessage = $"The passkey \"{change.PasskeyName}\" is removed: it no longer signs you in.";
                return RedirectToPage();
            case AccountChangeStatus.NotSignedIn:
                return Challenge();
            case AccountChangeStatus.NotFound:
                return NotFound();
            case AccountChangeStatus.LockedOut:
                return RedirectToLoginLockedOut(change.Problems[0]);
            case AccountChangeStatus.Throttled:
                Throttled();
                return await ShowAsync(user);
            case AccountChangeStatus.PasswordWrong:
                ModelState.AddModelError(nameof(Password), change.Problems[0]);
                await ShowAsync(user);
                Removing = Passkeys.FirstOrDefault(p => p.Id == PasskeyId);
                return Page();
            default:
                Refused(change.Problems);
                return await ShowAsync(user);
        }
    }

    private async Task<PageResult> ShowAsync(PortalUser user)
    {
        Passkeys = await passkeys.ListAsync(user);
        Required = Passkeys.Count == 0 && await passkeys.IsRequiredForAsync(user);
        return Page();
    }

    private string? NameProblem() =>
        string.IsNullOrWhiteSpace(Name) ? "Give the passkey a name, e.g. the device that holds it." : null;

    private static JsonResult JsonError(string message, int status = StatusCodes.Status400BadRequest) =>
        new(new { error = message }) { StatusCode = status };
}
