using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class RecoveryCodesModel(AccountChanges changes) : AccountPage
{
    /// <summary>Set after generating: shown in that response only.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var change = await changes.RegenerateRecoveryCodesAsync();
        if (change.Status == AccountChangeStatus.NotSignedIn)
        {
            return Challenge();
        }

        RecoveryCodes = change.RecoveryCodes;
        return Page();
    }
}
