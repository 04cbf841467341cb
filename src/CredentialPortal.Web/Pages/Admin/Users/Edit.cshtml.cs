using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Core.Administration;
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
public sealed class EditModel(UserManager<PortalUser> users, UserAdministration administration) : PageModel
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

    public bool CanDelete => UserAdministration.CanDelete(Subject, ManagedApplications.UserId(User));

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
        return ModelState.IsValid
            ? Show(await administration.UpdateAsync(user, Input.Email ?? "", Input.DisplayName ?? "", AuditActors.Current(HttpContext)))
            : Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        if (await users.FindByIdAsync(Id.ToString()) is not { } user)
        {
            return NotFound();
        }

        Subject = user;
        Input = new InputModel { Email = user.Email ?? "", DisplayName = user.DisplayName };
        return Show(await administration.DeleteAsync(user, AuditActors.Current(HttpContext)));
    }

    private IActionResult Show(UserEditResult result)
    {
        foreach (var (field, message) in result.Errors)
        {
            ModelState.AddModelError(field.Length == 0 ? "" : $"{nameof(Input)}.{field}", message);
        }

        if (!result.Succeeded)
        {
            return Page();
        }

        StatusMessage = result.Message;
        return RedirectToPage("Index");
    }
}
