using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>
/// A credential manager reports that a secret was found in public (a repository, a ticket, a log): the same response as
/// a scanner's alert (<see cref="SecretLeaks"/>), without the second confirmation for the last active credential —
/// whoever has read the secret can use it, whatever it costs the application.
/// </summary>
public sealed class ReportLeakModel(CredentialPortalDbContext db, ManagedApplications access, CredentialLifecycle lifecycle,
    SecretLeaks leaks, IOptions<SecretScanningOptions> options, TimeProvider time)
    : CredentialActionModel(db, access, lifecycle, time)
{
    [BindProperty]
    public string? Location { get; set; }

    /// <summary>Whether a report disables the secret (<see cref="SecretScanningOptions.OnLeak"/>), for what the page says.</summary>
    public bool Disables => options.Value.OnLeak == LeakResponse.Disable;

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (location, error) = SecretLeaks.ValidateLocation(Location);
        if (error is not null)
        {
            ModelState.AddModelError(nameof(Location), error);
            return await OnGetAsync(cancellationToken);
        }

        var outcome = LeakOutcome.AlreadyHandled;
        return await ChangeAsync(async actor =>
            {
                outcome = await leaks.ReportAsync(Application, (ClientSecret)Credential, location!, actor, cancellationToken);
                return outcome == LeakOutcome.AlreadyHandled ? CredentialChangeOutcome.Unchanged : CredentialChangeOutcome.Changed;
            },
            () => outcome switch
            {
                LeakOutcome.Disabled => $"{Described} of {Application.Name} is disabled and marked as found in public. Create a new secret, update your system to use it, then delete this one.",
                LeakOutcome.Notified => $"{Described} of {Application.Name} is marked as found in public. It still obtains tokens: create a new secret, update your system, then disable and delete this one.",
                _ => $"{Described} of {Application.Name} is already disabled, expired or reported: nothing changed.",
            },
            cancellationToken);
    }
}
