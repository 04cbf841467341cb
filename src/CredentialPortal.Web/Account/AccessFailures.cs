using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.Web.Account;

public static class AccessFailures
{
    // A hash of a random password, made once per process with the configured hasher: verifying against it costs
    // what verifying a real user's password costs.
    private static string? s_dummyHash;

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

    /// <summary>
    /// Whether the password is the user's, doing one password hash whether or not the address belongs to anyone, has
    /// a password yet (an invitation not accepted), or is locked or disabled: the answer's timing tells nothing about
    /// the account. Lockout and disabled state are the caller's to check afterwards.
    /// </summary>
    public static async Task<bool> IsPasswordCorrectAsync(this UserManager<PortalUser> users, PortalUser? user, string password)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (user?.PasswordHash is not null)
        {
            return await users.CheckPasswordAsync(user, password);
        }

        var stranger = new PortalUser();
        s_dummyHash ??= users.PasswordHasher.HashPassword(stranger, Guid.NewGuid().ToString("N"));
        users.PasswordHasher.VerifyHashedPassword(stranger, s_dummyHash, password);
        return false;
    }
}
