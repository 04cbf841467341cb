using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Users;

/// <summary>
/// ASP.NET Core Identity's user store on our DbContext. The shared framework ships the store base classes
/// but not the EF implementation, so this is the small amount of EF code in between.
/// </summary>
public sealed class UserStore(CredentialPortalDbContext db, IdentityErrorDescriber? describer = null)
    : UserStoreBase<PortalUser, PortalRole, Guid, IdentityUserClaim<Guid>, IdentityUserRole<Guid>,
        IdentityUserLogin<Guid>, IdentityUserToken<Guid>, IdentityRoleClaim<Guid>>(describer ?? new IdentityErrorDescriber())
{
    public override IQueryable<PortalUser> Users => db.Users;

    public override async Task<IdentityResult> CreateAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        return IdentityResult.Success;
    }

    public override async Task<IdentityResult> UpdateAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        db.Attach(user);
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        db.Update(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone else changed the user first. Take the stored values, so that the caller can retry on them and
            // a later SaveChanges of this unit of work (e.g. for an audit event) does not fail on the stale user again.
            await db.Entry(user).ReloadAsync(cancellationToken);
            foreach (var token in db.ChangeTracker.Entries<IdentityUserToken<Guid>>()
                .Where(t => t.Entity.UserId == user.Id && t.State == EntityState.Modified).ToList())
            {
                await token.ReloadAsync(cancellationToken);
            }

            return IdentityResult.Failed(ErrorDescriber.ConcurrencyFailure());
        }

        return IdentityResult.Success;
    }

    public override async Task<IdentityResult> DeleteAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        db.Users.Remove(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return IdentityResult.Failed(ErrorDescriber.ConcurrencyFailure());
        }

        return IdentityResult.Success;
    }

    public override Task<PortalUser?> FindByIdAsync(string userId, CancellationToken cancellationToken = default) =>
        Guid.TryParse(userId, out var id) ? FindUserAsync(id, cancellationToken) : Task.FromResult<PortalUser?>(null);

    public override Task<PortalUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken = default) =>
        db.Users.SingleOrDefaultAsync(u => u.NormalizedUserName == normalizedUserName, cancellationToken);

    public override Task<PortalUser?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken = default) =>
        db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail, cancellationToken);

    protected override Task<PortalUser?> FindUserAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);

    protected override Task<IdentityUserLogin<Guid>?> FindUserLoginAsync(Guid userId, string loginProvider, string providerKey, CancellationToken cancellationToken) =>
        db.UserLogins.SingleOrDefaultAsync(l => l.UserId == userId && l.LoginProvider == loginProvider && l.ProviderKey == providerKey, cancellationToken);

    protected override Task<IdentityUserLogin<Guid>?> FindUserLoginAsync(string loginProvider, string providerKey, CancellationToken cancellationToken) =>
        db.UserLogins.SingleOrDefaultAsync(l => l.LoginProvider == loginProvider && l.ProviderKey == providerKey, cancellationToken);

    protected override Task<PortalRole?> FindRoleAsync(string normalizedRoleName, CancellationToken cancellationToken) =>
        db.Roles.SingleOrDefaultAsync(r => r.NormalizedName == normalizedRoleName, cancellationToken);

    protected override Task<IdentityUserRole<Guid>?> FindUserRoleAsync(Guid userId, Guid roleId, CancellationToken cancellationToken) =>
        db.UserRoles.FindAsync([userId, roleId], cancellationToken).AsTask();

    protected override Task<IdentityUserToken<Guid>?> FindTokenAsync(PortalUser user, string loginProvider, string name, CancellationToken cancellationToken) =>
        db.UserTokens.FindAsync([user.Id, loginProvider, name], cancellationToken).AsTask();

    protected override async Task AddUserTokenAsync(IdentityUserToken<Guid> token)
    {
        db.UserTokens.Add(token);
        await db.SaveChangesAsync();
    }

    protected override async Task RemoveUserTokenAsync(IdentityUserToken<Guid> token)
    {
        db.UserTokens.Remove(token);
        await db.SaveChangesAsync();
    }

    public override async Task AddToRoleAsync(PortalUser user, string normalizedRoleName, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var role = await FindRoleAsync(normalizedRoleName, cancellationToken)
            ?? throw new InvalidOperationException($"Role {normalizedRoleName} does not exist.");
        db.UserRoles.Add(new IdentityUserRole<Guid> { UserId = user.Id, RoleId = role.Id });
    }

    public override async Task RemoveFromRoleAsync(PortalUser user, string normalizedRoleName, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var role = await FindRoleAsync(normalizedRoleName, cancellationToken);
        if (role is not null && await FindUserRoleAsync(user.Id, role.Id, cancellationToken) is { } userRole)
        {
            db.UserRoles.Remove(userRole);
        }
    }

    public override async Task<IList<string>> GetRolesAsync(PortalUser user, CancellationToken cancellationToken = default) =>
        await (from ur in db.UserRoles
               join r in db.Roles on ur.RoleId equals r.Id
               where ur.UserId == user.Id
               select r.Name!).ToListAsync(cancellationToken);

    public override async Task<bool> IsInRoleAsync(PortalUser user, string normalizedRoleName, CancellationToken cancellationToken = default) =>
        await (from ur in db.UserRoles
               join r in db.Roles on ur.RoleId equals r.Id
               where ur.UserId == user.Id && r.NormalizedName == normalizedRoleName
               select ur).AnyAsync(cancellationToken);

    public override async Task<IList<PortalUser>> GetUsersInRoleAsync(string normalizedRoleName, CancellationToken cancellationToken = default) =>
        await (from ur in db.UserRoles
               join r in db.Roles on ur.RoleId equals r.Id
               join u in db.Users on ur.UserId equals u.Id
               where r.NormalizedName == normalizedRoleName
               select u).ToListAsync(cancellationToken);

    public override async Task<IList<Claim>> GetClaimsAsync(PortalUser user, CancellationToken cancellationToken = default) =>
        await db.UserClaims.Where(c => c.UserId == user.Id).Select(c => c.ToClaim()).ToListAsync(cancellationToken);

    public override Task AddClaimsAsync(PortalUser user, IEnumerable<Claim> claims, CancellationToken cancellationToken = default)
    {
        foreach (var claim in claims)
        {
            db.UserClaims.Add(CreateUserClaim(user, claim));
        }

        return Task.CompletedTask;
    }

    public override async Task ReplaceClaimAsync(PortalUser user, Claim claim, Claim newClaim, CancellationToken cancellationToken = default)
    {
        var matches = await db.UserClaims
            .Where(c => c.UserId == user.Id && c.ClaimValue == claim.Value && c.ClaimType == claim.Type)
            .ToListAsync(cancellationToken);
        foreach (var match in matches)
        {
            match.ClaimValue = newClaim.Value;
            match.ClaimType = newClaim.Type;
        }
    }

    public override async Task RemoveClaimsAsync(PortalUser user, IEnumerable<Claim> claims, CancellationToken cancellationToken = default)
    {
        foreach (var claim in claims)
        {
            var matches = await db.UserClaims
                .Where(c => c.UserId == user.Id && c.ClaimValue == claim.Value && c.ClaimType == claim.Type)
                .ToListAsync(cancellationToken);
            db.UserClaims.RemoveRange(matches);
        }
    }

    public override async Task<IList<PortalUser>> GetUsersForClaimAsync(Claim claim, CancellationToken cancellationToken = default) =>
        await (from c in db.UserClaims
               join u in db.Users on c.UserId equals u.Id
               where c.ClaimValue == claim.Value && c.ClaimType == claim.Type
               select u).ToListAsync(cancellationToken);

    public override Task AddLoginAsync(PortalUser user, UserLoginInfo login, CancellationToken cancellationToken = default)
    {
        db.UserLogins.Add(CreateUserLogin(user, login));
        return Task.CompletedTask;
    }

    public override async Task RemoveLoginAsync(PortalUser user, string loginProvider, string providerKey, CancellationToken cancellationToken = default)
    {
        if (await FindUserLoginAsync(user.Id, loginProvider, providerKey, cancellationToken) is { } login)
        {
            db.UserLogins.Remove(login);
        }
    }

    /// <summary>Recovery codes are stored as SHA-256 hashes, so a copy of the database holds no usable codes.</summary>
    public override Task ReplaceCodesAsync(PortalUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken = default) =>
        base.ReplaceCodesAsync(user, recoveryCodes.Select(HashRecoveryCode), cancellationToken);

    public override async Task<bool> RedeemCodeAsync(PortalUser user, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        // Not base.RedeemCodeAsync: it writes the remaining codes back through ReplaceCodesAsync, hashing them twice.
        var hash = HashRecoveryCode(code);
        var stored = (await GetTokenAsync(user, RecoveryCodeProvider, RecoveryCodeTokenName, cancellationToken) ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (!stored.Contains(hash, StringComparer.Ordinal))
        {
            return false;
        }

        await SetTokenAsync(user, RecoveryCodeProvider, RecoveryCodeTokenName,
            string.Join(';', stored.Where(s => s != hash)), cancellationToken);
        return true;
    }

    // Where UserStoreBase keeps recovery codes (its constants are private).
    private const string RecoveryCodeProvider = "[AspNetUserStore]";
    private const string RecoveryCodeTokenName = "RecoveryCodes";

    // Generated codes carry about 50 random bits and are single-use; one unsalted SHA-256 is enough.
    private static string HashRecoveryCode(string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim().ToUpperInvariant())));

    public override async Task<IList<UserLoginInfo>> GetLoginsAsync(PortalUser user, CancellationToken cancellationToken = default) =>
        await db.UserLogins.Where(l => l.UserId == user.Id)
            .Select(l => new UserLoginInfo(l.LoginProvider, l.ProviderKey, l.ProviderDisplayName))
            .ToListAsync(cancellationToken);
}
