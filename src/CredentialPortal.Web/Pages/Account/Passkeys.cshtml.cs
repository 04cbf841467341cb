using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// The user's passkeys: register one (with a name, after entering the password again), rename, remove (after a
/// confirmation with the password). The owner is emailed and the audit log records every addition and removal.
/// </summary>
public sealed class PasskeysModel(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    PortalSessions sessions,
    AccountPasskeys passkeys,
    AccountEmails emails,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db) : AccountPage
{
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
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if (!throttle.TryAcquire(HttpContext, user.Email))
        {
            return JsonError(ThrottledMessage, StatusCodes.Status429TooManyRequests);
        }

        if ((NameProblem() ?? (ModelState.IsValid ? null : "Check the name and the password.")) is { } problem)
        {
            return JsonError(problem);
        }

        if (!await users.CheckPasswordAsync(user, Password ?? ""))
        {
            if (await RecordFailedCheckAsync(users, user, AuditActors.For(HttpContext, user), AuditEventTypes.LoginFailed,
                    "wrong password when adding a passkey", "adding a passkey"))
            {
                await sessions.SignOutAsync();
                AlertMessage = LockedOut(AccountSettings);
                return new JsonResult(new { error = AlertMessage, redirect = Url.Page("Login") }) { StatusCode = StatusCodes.Status400BadRequest };
            }

            return JsonError("The password is not correct.");
        }

        // Under the administrator policy a code-signed session may register the first passkey, not add more: else a
        // phished code would be enough to add the phisher's own passkey.
        if (await passkeys.IsRequiredForAsync(user) && (await passkeys.ListAsync(user)).Count > 0 && !PortalSessions.IsPhishingResistant(User))
        {
            return JsonError("Sign in with one of your passkeys to add another one.");
        }

        var options = await signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity
        {
            Id = await users.GetUserIdAsync(user),
            Name = user.Email ?? "",
            DisplayName = user.DisplayName,
        });
        return Content(options, "application/json");
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

        var attestation = await signIn.PerformPasskeyAttestationAsync(Credential!);
        if (!attestation.Succeeded || attestation.UserEntity.Id != await users.GetUserIdAsync(user))
        {
            ModelState.AddModelError("", "The passkey could not be registered" + (attestation.Succeeded ? "." : $": {attestation.Failure.Message}") + " Try again.");
            return await ShowAsync(user);
        }

        var passkey = attestation.Passkey;
        passkey.Name = Name!.Trim();
        if (!(await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded)
        {
            ModelState.AddModelError("", "The passkey could not be saved. Try again.");
            return await ShowAsync(user);
        }

        audit.Add(AuditEventTypes.PasskeyAdded, AuditActors.For(HttpContext, user), passkey.Name, organisationId: user.OrganisationId);
        emails.QueuePasskeyChanged(user, passkey.Name, added: true);
        await db.SaveChangesAsync();
        StatusMessage = $"The passkey \"{passkey.Name}\" is registered.";
        // Under the administrator policy a session signed in with a code now confirms with the new passkey.
        return await passkeys.IsRequiredForAsync(user) && !PortalSessions.IsPhishingResistant(User)
            ? RedirectToPage("ConfirmPasskey", new { returnUrl = LocalOrNull(ReturnUrl) })
            : RedirectToPage(new { returnUrl = LocalOrNull(ReturnUrl) });
    }

    public async Task<IActionResult> OnPostRenameAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if (await passkeys.FindAsync(user, PasskeyId) is not { } passkey)
        {
            return NotFound();
        }

        if (NameProblem() is { } problem)
        {
            ModelState.AddModelError("", problem);
        }

        if (!ModelState.IsValid)
        {
            return await ShowAsync(user);
        }

        var before = passkey.Name;
        passkey.Name = Name!.Trim();
        await users.AddOrUpdatePasskeyAsync(user, passkey);
        audit.Add(AuditEventTypes.PasskeyRenamed, AuditActors.For(HttpContext, user), $"{before} → {passkey.Name}", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        StatusMessage = $"The passkey is now called \"{passkey.Name}\".";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if (await passkeys.FindAsync(user, PasskeyId) is not { } passkey)
        {
            return NotFound();
        }

        if (await passkeys.WhyNotRemovableAsync(user) is { } refusal)
        {
            ModelState.AddModelError("", refusal);
            return await ShowAsync(user);
        }

        // Removing a factor is an MFA change: the password again, failures counting toward the lockout.
        if (!await users.CheckPasswordAsync(user, Password ?? ""))
        {
            if (await RecordFailedCheckAsync(users, user, AuditActors.For(HttpContext, user), AuditEventTypes.LoginFailed,
                    "wrong password when removing a passkey", "removing a passkey"))
            {
                await sessions.SignOutAsync();
                return RedirectToLoginLockedOut();
            }

            ModelState.AddModelError(nameof(Password), "The password is not correct.");
            await ShowAsync(user);
            Removing = Passkeys.FirstOrDefault(p => p.Id == PasskeyId);
            return Page();
        }

        await users.RemovePasskeyAsync(user, passkey.CredentialId);
        var name = passkey.Name ?? "Passkey";
        audit.Add(AuditEventTypes.PasskeyRemoved, AuditActors.For(HttpContext, user), name, organisationId: user.OrganisationId);
        emails.QueuePasskeyChanged(user, name, added: false);
        await db.SaveChangesAsync();
        StatusMessage = $"The passkey \"{name}\" is removed: it no longer signs you in.";
        return RedirectToPage();
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
