using System.Security.Claims;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// Base of the pages that add a credential to an application the user manages (a secret, a key): the application from
/// the route (404 when it is not the user's), the expiry range the form offers and checks, the suggested name.
/// </summary>
public abstract class NewCredentialPage(ManagedApplications access, TimeProvider time, CredentialKind kind) : PageModel
{
    [FromRoute]
    public int ApplicationId { get; set; }

    public Application Application { get; private set; } = null!;
    public DateOnly EarliestExpiry => CredentialExpiryPolicy.EarliestExpiryDate(Now);
    public DateOnly LatestExpiry => CredentialExpiryPolicy.LatestExpiryDate(Now);
    public IReadOnlyList<(int Days, DateOnly Date)> ExpiryPresets => CredentialExpiryPolicy.Presets(Now);

    /// <summary>"Secret by Ann Example": a name that says who made it, for users who do not choose one.</summary>
    public string SuggestedName => $"{kind.Words().Label} by {User.FindFirstValue("name") ?? User.Identity?.Name}";

    protected DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Loads <see cref="Application"/>; false when the user does not manage it (answer 404).</summary>
    protected async Task<bool> LoadApplicationAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return false;
        }

        Application = application;
        return true;
    }

    /// <summary>The chosen expiry date against <see cref="CredentialExpiryPolicy"/>, as a message at <c>Input.ExpiresOn</c>.</summary>
    protected void CheckExpiry(DateOnly? expiresOn)
    {
        if (expiresOn is { } date && CredentialExpiryPolicy.Validate(kind, date, Now) is { } error)
        {
            ModelState.AddModelError("Input.ExpiresOn", error);
        }
    }

    /// <summary>The answer when the application changed while this credential was added (nothing was stored).</summary>
    protected PageResult ChangedMeanwhile()
    {
        ModelState.AddModelError("", "The application changed at the same moment (perhaps another credential was added). " +
            "Check its credentials and try again.");
        return Page();
    }
}
