using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.Web.Account;

public static class AccessFailures
{
    /// <summary>
    /// Counts one failed password or code toward the lockout and says whether the account is now locked. Parallel
    /// failures for one user conflict on its concurrency stamp; the store then reloads the user and this retries on
    /// the fresh count, so that guesses sent in parallel are all counted (Identity alone would drop the losers').
    /// </summary>
    public static async Task<bool> RecordFailureAsync(this UserManager<PortalUser> users, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        for (var attempt = 0; attempt < 5 && !(await users.AccessFailedAsync(user)).Succeeded; attempt++)
        {
        }

        return await users.IsLockedOutAsync(user);
    }
}
