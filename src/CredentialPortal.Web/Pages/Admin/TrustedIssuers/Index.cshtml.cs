using CredentialPortal.Core.Credentials;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Admin.TrustedIssuers;

/// <summary>
/// The issuers partners may federate with: those of the configuration (listed, not removable here) and those added here;
/// adding and removing are <see cref="TrustedIssuerManagement"/>'s (audited).
/// </summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(TrustedIssuerList list, TrustedIssuerManagement management) : PageModel
{
    public IReadOnlyList<TrustedIssuerEntry> Issuers { get; private set; } = [];

    [BindProperty]
    public string? Issuer { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Issuers = await list.ListAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        var result = await management.AddAsync(Issuer, AuditActors.Current(HttpContext), cancellationToken);
        if (result.Value is not { } added)
        {
            foreach (var (_, message) in result.Errors)
            {
                ModelState.AddModelError(nameof(Issuer), message);
            }

            Issuers = await list.ListAsync(cancellationToken);
            return Page();
        }

        StatusMessage = $"{added.Issuer} is trusted: partners can add federated identities with its tokens.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync(int id, CancellationToken cancellationToken)
    {
        StatusMessage = await management.RemoveAsync(id, AuditActors.Current(HttpContext), cancellationToken)
            ? "The issuer is no longer trusted: federated identities naming it obtain no tokens from now on."
            : "That issuer was removed already.";
        return RedirectToPage();
    }
}
