using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// Add a partner's public key (private_key_jwt), pasted or uploaded. The parsing and every rule are
/// <see cref="KeyManagement"/>'s; nothing is stored when anything is wrong.
/// </summary>
public sealed class NewKeyModel(CredentialPortalDbContext db, ManagedApplications access, KeyManagement keys, TimeProvider time)
    : NewCredentialPage(db, access, time, CredentialKind.Key)
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

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadApplicationAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadApplicationAsync(cancellationToken))
        {
            return NotFound();
        }

        CheckExpiry(Input.ExpiresOn);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        FieldResult<ClientKey> result;
        try
        {
            result = await keys.AddAsync(Application, Input.Name, await ReadInputAsync(cancellationToken),
                Input.ExpiresOn is { } expiresOn ? CredentialExpiryPolicy.ExpiresAtFor(expiresOn) : null,
                AuditActors.Current(HttpContext), Replacement, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ChangedMeanwhile();
        }

        if (result.Value is not { } added)
        {
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError(field switch
                {
                    KeyManagement.ExpiryField => "Input.ExpiresOn",
                    KeyManagement.KeyField => "Input.Key",
                    KeyManagement.NameField => "Input.Name",
                    _ => RotationFieldOf(field),
                }, message);
            }

            return Page();
        }

        StatusMessage = $"Key “{added.Name}” ({added.KeyDescription}) is added to {Application.Name}, valid until " +
            $"{PortalText.Time(added.ExpiresAt)}. Its thumbprint {added.Hint} is the kid your assertions may name." +
            (Replaced is null ? "" : $" It replaces {Replaced.Kind.Words().Noun} “{Replaced.Name}”, which works until {PortalText.Time(Replaced.ExpiresAt)}.");
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
