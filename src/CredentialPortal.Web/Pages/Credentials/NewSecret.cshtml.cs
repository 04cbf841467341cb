using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>Create a client secret; the response that creates it is the only one that ever shows the value.</summary>
public sealed class NewSecretModel(CredentialPortalDbContext db, ManagedApplications access, SecretManagement secrets, IMemoryCache submittedForms,
    TimeProvider time)
    : NewCredentialPage(db, access, time, CredentialKind.Secret)
{
    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter a name for the secret.")]
        [StringLength(ClientSecret.MaxNameLength, ErrorMessage = "The name can be at most 100 characters.")]
        [PlainText(ErrorMessage = "The name " + PlainText.ErrorMessage + ".")]
        public string Name { get; set; } = "";

        [Required(ErrorMessage = "Choose when the secret expires.")]
        [DataType(DataType.Date)]
        public DateOnly? ExpiresOn { get; set; }

        /// <summary>Identifies one filled-in form, so that reloading the result page cannot create a second secret.</summary>
        public Guid FormId { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public CreatedSecret? Created { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadApplicationAsync(cancellationToken))
        {
            return NotFound();
        }

        Input.ExpiresOn = CredentialExpiryPolicy.DefaultExpiryDate(Now);
        Input.FormId = Guid.NewGuid();
        // A rotation keeps the name: the new secret does the same job.
        Input.Name = Replaced?.Name ?? "";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadApplicationAsync(cancellationToken))
        {
            return NotFound();
        }

        var formKey = (nameof(NewSecretModel), ManagedApplications.UserId(User), Input.FormId);
        if (Input.FormId != Guid.Empty && submittedForms.TryGetValue(formKey, out string? alreadyCreated))
        {
            // A reload (or double click) re-posts the form: the secret exists and its value is never shown again.
            TempData["StatusMessage"] = $"The secret {alreadyCreated} was already created; its value was shown only once.";
            return Redirect("/manage-api-credentials");
        }

        CheckExpiry(Input.ExpiresOn);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        FieldResult<CreatedSecret> result;
        try
        {
            result = await secrets.CreateAsync(Application, Input.Name, CredentialExpiryPolicy.ExpiresAtFor(Input.ExpiresOn!.Value),
                AuditActors.Current(HttpContext), Replacement, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ChangedMeanwhile();
        }

        if (!result.Succeeded)
        {
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError(field switch
                {
                    SecretManagement.ExpiryField => "Input.ExpiresOn",
                    SecretManagement.NameField => "Input.Name",
                    _ => RotationFieldOf(field),
                }, message);
            }

            return Page();
        }

        // The value lives in this response only: no redirect, no TempData, not cacheable, never logged.
        Created = result.Value;
        submittedForms.Set(formKey, $"“{Created!.Secret.Name}” ({Created.Secret.Hint}…)", TimeSpan.FromHours(8));
        Response.Headers.CacheControl = "no-store";
        Response.Headers.Pragma = "no-cache";
        return Page();
    }
}
