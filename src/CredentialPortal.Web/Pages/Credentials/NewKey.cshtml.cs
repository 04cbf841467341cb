using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Keys;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// Add a partner's public key (private_key_jwt), pasted or uploaded. The parsing and every rule are
/// <see cref="KeyManagement"/>'s; nothing is stored when anything is wrong.
/// </summary>
public sealed class NewKeyModel(ManagedApplications access, KeyManagement keys, TimeProvider time) : PageModel
{
    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter a name for the key.")]
        [StringLength(ClientCredential.MaxNameLength, ErrorMessage = "The name can be at most 100 characters.")]
        [PlainText(ErrorMessage = "The name " + PlainText.ErrorMessage + ".")]
        public string Name { get; set; } = "";

        /// <summary>A pasted JWK, JWKS with one key, PEM public key or PEM certificate.</summary>
        public string? Key { get; set; }

        /// <summary>An uploaded file: any of those, or a DER certificate or public key.</summary>
        public IFormFile? File { get; set; }

        /// <summary>Empty: one year, or the certificate's end if that comes sooner.</summary>
        [DataType(DataType.Date)]
        public DateOnly? ExpiresOn { get; set; }
    }

    [FromRoute]
    public int ApplicationId { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public Application Application { get; private set; } = null!;
    public DateOnly EarliestExpiry => SecretExpiryPolicy.EarliestExpiryDate(Now);
    public DateOnly LatestExpiry => SecretExpiryPolicy.LatestExpiryDate(Now);
    public string SuggestedName => $"Key by {User.FindFirstValue("name") ?? User.Identity?.Name}";
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return NotFound();
        }

        Application = application;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return NotFound();
        }

        Application = application;
        if (Input.ExpiresOn is { } date && SecretExpiryPolicy.Validate(date, Now) is { } expiryError)
        {
            ModelState.AddModelError("Input.ExpiresOn", expiryError.Replace("A secret", "A key", StringComparison.Ordinal));
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        KeyAddResult result;
        try
        {
            result = await keys.AddAsync(application, Input.Name, await ReadInputAsync(cancellationToken),
                Input.ExpiresOn is { } expiresOn ? SecretExpiryPolicy.ExpiresAtFor(expiresOn) : null,
                AuditActors.Current(HttpContext), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            ModelState.AddModelError("", "The application changed at the same moment (perhaps another credential was added). " +
                "Check its credentials and try again.");
            return Page();
        }

        if (result.Added is not { } added)
        {
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError(field switch
                {
                    KeyManagement.ExpiryField => "Input.ExpiresOn",
                    KeyManagement.KeyField => "Input.Key",
                    _ => "Input.Name",
                }, message);
            }

            return Page();
        }

        StatusMessage = $"Key “{added.Name}” ({added.KeyDescription}) is added to {application.Name}, valid until " +
            $"{added.ExpiresAt:yyyy-MM-dd}. Its thumbprint {added.Hint} is the kid your assertions may name.";
        return Redirect("/manage-api-credentials");
    }

    /// <summary>The uploaded file if there is one (read up to just past the parser's limit), else the pasted text.</summary>
    private async Task<KeyInput> ReadInputAsync(CancellationToken cancellationToken)
    {
        if (Input.File is not { Length: > 0 } file)
        {
            return new KeyInput(Input.Key);
        }

        var buffer = new byte[Math.Min(file.Length, PublicKeyParser.MaxInputBytes + 1)];
        await using var stream = file.OpenReadStream();
        await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return new KeyInput(null, buffer);
    }
}
