using System.Security.Claims;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Web.Account;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// Base of the pages that add a credential to an application the user manages (a secret, a key): the application from
/// the route (404 when it is not the user's), the expiry range the form offers and checks, the suggested name, and,
/// opened with <c>?replaces=</c> from a credential's "Rotate" action, the rotation: which credential the new one
/// replaces and its grace period (<see cref="CredentialRotation"/>).
/// </summary>
public abstract class NewCredentialPage(CredentialPortalDbContext db, ManagedApplications access, TimeProvider time, CredentialKind kind) : PageModel
{
    [FromRoute]
    public int ApplicationId { get; set; }

    /// <summary>The credential the new one replaces (a rotation), from the "Rotate" link's query and then the form.</summary>
    [BindProperty(SupportsGet = true)]
    public int? Replaces { get; set; }

    /// <summary>How many days the replaced credential keeps working (one of <see cref="CredentialRotation.GraceDays"/>).</summary>
    [BindProperty]
    public int GraceDays { get; set; } = (int)CredentialRotation.DefaultGracePeriod.TotalDays;

    /// <summary>Optional: the replaced credential stops this many hours after the new one is first used, if sooner.</summary>
    [BindProperty]
    public int? RetireAfterFirstUseHours { get; set; }

    /// <summary>The credential being rotated, when <see cref="Replaces"/> names one of the application's.</summary>
    public ClientCredential? Replaced { get; private set; }

    /// <summary>Form field of each rotation error Core reports.</summary>
    protected static string RotationFieldOf(string field) => field switch
    {
        CredentialRotation.GraceField => nameof(GraceDays),
        CredentialRotation.AfterFirstUseField => nameof(RetireAfterFirstUseHours),
        CredentialRotation.ReplacesField => "",
        _ => field,
    };

    /// <summary>The rotation asked for, or null for a plain creation.</summary>
    protected CredentialReplacement? Replacement => Replaced is null ? null : new CredentialReplacement(Replaced, new RotationGrace(
        TimeSpan.FromDays(GraceDays), RetireAfterFirstUseHours is { } hours ? TimeSpan.FromHours(hours) : null));

    public Application Application { get; private set; } = null!;
    public DateOnly EarliestExpiry => CredentialExpiryPolicy.EarliestExpiryDate(Now);
    public DateOnly LatestExpiry => CredentialExpiryPolicy.LatestExpiryDate(Now);
    public IReadOnlyList<(int Days, DateOnly Date)> ExpiryPresets => CredentialExpiryPolicy.Presets(Now);

    /// <summary>"Secret by Ann Example": a name that says who made it, for users who do not choose one.</summary>
    public string SuggestedName => $"{kind.Words().Label} by {User.FindFirstValue("name") ?? User.Identity?.Name}";

    protected DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Loads <see cref="Application"/> and the credential it rotates, if any; false when the user does not manage it or
    /// the credential is not the application's (answer 404).
    /// </summary>
    protected async Task<bool> LoadApplicationAsync(CancellationToken cancellationToken)
    {
        if (await access.FindAsync(User, ApplicationId, cancellationToken) is not { } application)
        {
            return false;
        }

        Application = application;
        if (Replaces is { } replaces)
        {
            Replaced = await db.ClientCredentials.SingleOrDefaultAsync(c => c.Id == replaces && c.ApplicationId == application.Id, cancellationToken);
            return Replaced is not null;
        }

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
