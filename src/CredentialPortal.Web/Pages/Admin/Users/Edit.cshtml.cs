using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Admin.Users;

/// <summary>
/// An administrator corrects a user's name and email address, or deletes a user who never signed in (an invitation
/// sent to the wrong person or address). Everyone else is disabled instead, so their history keeps a name.
/// </summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class EditModel(CredentialPortalDbContext db, UserManager<PortalUser> users, AuditLog audit) : PageModel
{
    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the email address."), EmailAddress(ErrorMessage = "Enter a valid email address.")]
        [StringLength(256), PlainText(ErrorMessage = "The email address " + PlainText.ErrorMessage + ".")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter the name."), StringLength(PortalUser.MaxDisplayNameLength, ErrorMessage = "The name can be at most {1} characters.")]
        [PlainText(ErrorMessage = "The name " + PlainText.ErrorMessage + ".")]
        public string DisplayName { get; set; } = "";
    }

    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public PortalUser Subject { get; private set; } = null!;

    /// <summary>Only a user who never signed in can be deleted; the others have a history and are disabled instead.</summary>
    public bool CanDelete => Subject.LastSignInAt is null && Subject.Id != ManagedApplications.UserId(User);

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.FindByIdAsync(Id.ToString()) is not { } user)
        {
            return NotFound();
        }

        Subject = user;
        Input = new InputModel { Email = user.Email ?? "", DisplayName = user.DisplayName };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.FindByIdAsync(Id.ToString()) is not { } user)
        {
            return NotFound();
        }

        Subject = user;
        var email = Input.Email?.Trim() ?? "";
        var name = Input.DisplayName?.Trim() ?? "";
        if (ModelState.IsValid && await users.FindByEmailAsync(email) is { } other && other.Id != user.Id)
        {
            ModelState.AddModelError("Input.Email", "Another user already has this email address.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var changes = new List<string>();
        if (!string.Equals(user.Email, email, StringComparison.Ordinal))
        {
            changes.Add($"email {user.Email} → {email}");
            // The email is also the sign-in name; both setters renew the security stamp, so an invitation link sent
            // to the old address stops working and open sessions end.
            if (!Apply(await users.SetEmailAsync(user, email)) || !Apply(await users.SetUserNameAsync(user, email)))
            {
                return Page();
            }

            // An administrator vouches for the address, as when inviting.
            user.EmailConfirmed = true;
        }

        if (!string.Equals(user.DisplayName, name, StringComparison.Ordinal))
        {
            changes.Add($"name {user.DisplayName} → {name}");
            user.DisplayName = name;
        }

        if (changes.Count == 0)
        {
            StatusMessage = "Nothing changed.";
            return RedirectToPage("Index");
        }

        if (!Apply(await users.UpdateAsync(user)))
        {
            return Page();
        }

        audit.Add(AuditEventTypes.UserChanged, AuditActors.Current(HttpContext), string.Join("; ", changes), organisationId: user.OrganisationId);
        await db.SaveChangesAsync(HttpContext.RequestAborted);
        StatusMessage = user.PasswordHash is null && changes.Exists(c => c.StartsWith("email", StringComparison.Ordinal))
            ? $"{user.Email} saved. The earlier invitation link no longer works: resend the invitation."
            : $"{user.Email} saved.";
        return RedirectToPage("Index");
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        if (await users.FindByIdAsync(Id.ToString()) is not { } user)
        {
            return NotFound();
        }

        Subject = user;
        if (!CanDelete)
        {
            ModelState.AddModelError("", Subject.Id == ManagedApplications.UserId(User)
                ? "You cannot delete yourself."
                : $"{user.Email} has signed in before: disable the user instead, so that their history keeps a name.");
            Input = new InputModel { Email = user.Email ?? "", DisplayName = user.DisplayName };
            return Page();
        }

        // Credential manager assignments, roles and tokens go with the user (cascading foreign keys).
        if (!Apply(await users.DeleteAsync(user)))
        {
            return Page();
        }

        audit.Add(AuditEventTypes.UserDeleted, AuditActors.Current(HttpContext), $"{user.Email} ({user.DisplayName}), never signed in", organisationId: user.OrganisationId);
        await db.SaveChangesAsync(HttpContext.RequestAborted);
        StatusMessage = $"{user.Email} is deleted.";
        return RedirectToPage("Index");
    }

    private bool Apply(IdentityResult result)
    {
        foreach (var error in result.Errors)
        {
            ModelState.AddModelError(error.Code.Contains("Email", StringComparison.Ordinal) || error.Code.Contains("UserName", StringComparison.Ordinal)
                ? "Input.Email" : "", error.Description);
        }

        return result.Succeeded;
    }
}
