using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>The "forgot password" link: a new password, after which every session and this link stop working.</summary>
[AllowAnonymous]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ResetPasswordModel(PortalUserManager users, OneTimeLinks links, AccountChanges changes)
    : LinkPage(users, links, LinkPurpose.PasswordReset)
{
    [BindProperty]
    public NewPasswordInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync()
    {
        await CheckLinkAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await CheckLinkAsync() || LinkUser is not { } user || !ModelState.IsValid)
        {
            return Page();
        }

        var change = await changes.ResetPasswordAsync(user, Input.Password);
        if (change.Status != AccountChangeStatus.Done)
        {
            return NewPasswordRefused(change);
        }

        StatusMessage = "Your password was changed. Sign in with it now.";
        return RedirectToPage("Login");
    }
}

public sealed class NewPasswordInput
{
    [Required, DataType(DataType.Password), Display(Name = "New password")]
    [StringLength(PasswordRules.MaximumLength, MinimumLength = PasswordRules.MinimumLength,
        ErrorMessage = "The password must be between {2} and {1} characters long.")]
    public string Password { get; set; } = "";

    [DataType(DataType.Password), Display(Name = "Repeat the new password")]
    [Compare(nameof(Password), ErrorMessage = "The two passwords are not the same.")]
    public string ConfirmPassword { get; set; } = "";
}
