using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

/// <summary>
/// Identity's user manager with the two password-check habits the account pages rely on: a check that costs one hash
/// whatever the account's state, and failure counting that survives parallel guesses.
/// </summary>
public sealed class PortalUserManager(
    IUserStore<PortalUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<PortalUser> passwordHasher,
    IEnumerable<IUserValidator<PortalUser>> userValidators,
    IEnumerable<IPasswordValidator<PortalUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<PortalUser>> logger,
    StandInPasswordHash standIn)
    : UserManager<PortalUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    /// <summary>
    /// Counts one failed password or code toward the lockout and says whether the account is now locked. Parallel
    /// failures for one user conflict on its concurrency stamp; the store then reloads the user and this retries on
    /// the fresh count, so that guesses sent in parallel are all counted (Identity alone would drop the losers').
    /// </summary>
    public async Task<bool> RecordFailureAsync(PortalUser user)
    {
        for (var attempt = 0; attempt < 5 && !(await AccessFailedAsync(user)).Succeeded; attempt++)
        {
        }

        return await IsLockedOutAsync(user);
    }

    /// <summary>
    /// Whether the password is the user's, doing one password hash whether or not the address belongs to anyone, has
    /// a password yet (an invitation not accepted), or is locked or disabled: the answer's timing tells nothing about
    /// the account. Lockout and disabled state are the caller's to check afterwards.
    /// </summary>
    public async Task<bool> IsPasswordCorrectAsync(PortalUser? user, string password)
    {
        if (user?.PasswordHash is not null)
        {
            return await CheckPasswordAsync(user, password);
        }

        var stranger = new PortalUser();
        PasswordHasher.VerifyHashedPassword(stranger, standIn.Get(PasswordHasher), password);
        return false;
    }
}

/// <summary>
/// A hash of a random password, made once per process with the configured hasher (a singleton): verifying against it
/// costs what verifying a real user's password costs.
/// </summary>
public sealed class StandInPasswordHash
{
    private readonly Lock _making = new();
    private string? _hash;

    public string Get(IPasswordHasher<PortalUser> hasher)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        lock (_making)
        {
            return _hash ??= hasher.HashPassword(new PortalUser(), Guid.NewGuid().ToString("N"));
        }
    }
}
