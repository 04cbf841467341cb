using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Users;

/// <summary>
/// Identity's EF Core user store with four differences: recovery codes are stored as hashes, the authenticator key is
/// encrypted with Data Protection, and an update that lost a concurrency race leaves the unit of work usable, and a malformed id finds nobody.
/// </summary>
public sealed class PortalUserStore(CredentialPortalDbContext context, IDataProtectionProvider dataProtection, IdentityErrorDescriber? describer = null)
    : UserStore<PortalUser, PortalRole, CredentialPortalDbContext, Guid>(context, describer)
{
    // Where UserStoreBase keeps recovery codes (its constants are private).
    private const string InternalLoginProvider = "[AspNetUserStore]";
    private const string RecoveryCodeTokenName = "RecoveryCodes";

    private readonly IDataProtector _keyProtector = dataProtection.CreateProtector("CredentialPortal.AuthenticatorKey");

    /// <summary><c>null</c> for an id that is not a GUID (from a tampered link), where the base store would throw.</summary>
    public override Task<PortalUser?> FindByIdAsync(string userId, CancellationToken cancellationToken = default) =>
        Guid.TryParse(userId, out _) ? base.FindByIdAsync(userId, cancellationToken) : Task.FromResult<PortalUser?>(null);

    /// <summary>A copy of the database holds no usable authenticator key.</summary>
    public override Task SetAuthenticatorKeyAsync(PortalUser user, string key, CancellationToken cancellationToken) =>
        base.SetAuthenticatorKeyAsync(user, _keyProtector.Protect(key), cancellationToken);

    /// <summary><c>null</c> also when the stored key cannot be decrypted (a lost key ring): the user enrols again.</summary>
    public override async Task<string?> GetAuthenticatorKeyAsync(PortalUser user, CancellationToken cancellationToken)
    {
        if (await base.GetAuthenticatorKeyAsync(user, cancellationToken) is not { Length: > 0 } stored)
        {
            return null;
        }

        try
        {
            return _keyProtector.Unprotect(stored);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Recovery codes are stored as SHA-256 hashes, so a copy of the database holds no usable codes.</summary>
    public override Task ReplaceCodesAsync(PortalUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken) =>
        base.ReplaceCodesAsync(user, recoveryCodes.Select(HashRecoveryCode), cancellationToken);

    /// <summary>
    /// Removes the code's hash. Not base.RedeemCodeAsync: it writes the remaining codes back through
    /// <see cref="ReplaceCodesAsync"/>, hashing them twice. Two requests redeeming one code race on the user's
    /// concurrency stamp in the <see cref="UserManager{TUser}.UpdateAsync"/> that follows: one of them fails.
    /// </summary>
    public override async Task<bool> RedeemCodeAsync(PortalUser user, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        var hash = HashRecoveryCode(code);
        var stored = (await GetTokenAsync(user, InternalLoginProvider, RecoveryCodeTokenName, cancellationToken) ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (!stored.Contains(hash, StringComparer.Ordinal))
        {
            return false;
        }

        await SetTokenAsync(user, InternalLoginProvider, RecoveryCodeTokenName,
            string.Join(';', stored.Where(s => s != hash)), cancellationToken);
        return true;
    }

    /// <summary>
    /// On a concurrency failure the stored values are taken back, so that the caller can retry on them and a later
    /// SaveChanges of the same unit of work (an audit event, say) does not fail on the stale user again.
    /// </summary>
    public override async Task<IdentityResult> UpdateAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        var result = await base.UpdateAsync(user, cancellationToken);
        if (!result.Succeeded && result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure)))
        {
            await Context.Entry(user).ReloadAsync(cancellationToken);
            foreach (var token in Context.ChangeTracker.Entries<IdentityUserToken<Guid>>().Where(t => t.Entity.UserId == user.Id).ToList())
            {
                if (token.State == EntityState.Added)
                {
                    token.State = EntityState.Detached;
                }
                else if (token.State != EntityState.Unchanged)
                {
                    await token.ReloadAsync(cancellationToken);
                }
            }
        }

        return result;
    }

    // Generated codes carry about 50 random bits and are single-use; one unsalted SHA-256 is enough.
    private static string HashRecoveryCode(string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim().ToUpperInvariant())));
}
