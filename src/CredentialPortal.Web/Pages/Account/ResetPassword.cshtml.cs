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
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ResetPasswordModel(UserManager<PortalUser> users, OneTimeLinks links, AuditLog audit, CredentialPortalDbContext db)
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

        // The link was checked above; Identity's own reset token is only the means to set the new password, which
        // also changes the security stamp: this link and every open session stop working.
        var token = await Users.GeneratePasswordResetTokenAsync(user);
        var result = await Users.ResetPasswordAsync(user, token, Input.Password);
        if (!result.Succeeded)
        {
            return NewPasswordRefused(result);
        }

        audit.Add(AuditEventTypes.PasswordReset, AuditActors.For(HttpContext, user), "with an emailed link", organisationId: user.OrganisationId);
        HttpContext.RequestServices.GetRequiredService<AccountEmails>().QueuePasswordChanged(user, "with an emailed reset link");
        await db.SaveChangesAsync();
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
