using System.Security.Claims;
using CredentialPortal.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Users;

/// <summary>ASP.NET Core Identity's role store on our DbContext.</summary>
public sealed class RoleStore(CredentialPortalDbContext db, IdentityErrorDescriber? describer = null)
    : RoleStoreBase<PortalRole, Guid, IdentityUserRole<Guid>, IdentityRoleClaim<Guid>>(describer ?? new IdentityErrorDescriber())
{
    public override IQueryable<PortalRole> Roles => db.Roles;

    public override async Task<IdentityResult> CreateAsync(PortalRole role, CancellationToken cancellationToken = default)
    {
        db.Roles.Add(role);
        await db.SaveChangesAsync(cancellationToken);
        return IdentityResult.Success;
    }

    public override async Task<IdentityResult> UpdateAsync(PortalRole role, CancellationToken cancellationToken = default)
    {
        db.Attach(role);
        role.ConcurrencyStamp = Guid.NewGuid().ToString();
        db.Update(role);
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

    public override async Task<IdentityResult> DeleteAsync(PortalRole role, CancellationToken cancellationToken = default)
    {
        db.Roles.Remove(role);
        await db.SaveChangesAsync(cancellationToken);
        return IdentityResult.Success;
    }

    public override Task<PortalRole?> FindByIdAsync(string id, CancellationToken cancellationToken = default) =>
        Guid.TryParse(id, out var roleId)
            ? db.Roles.SingleOrDefaultAsync(r => r.Id == roleId, cancellationToken)
            : Task.FromResult<PortalRole?>(null);

    public override Task<PortalRole?> FindByNameAsync(string normalizedName, CancellationToken cancellationToken = default) =>
        db.Roles.SingleOrDefaultAsync(r => r.NormalizedName == normalizedName, cancellationToken);

    public override async Task<IList<Claim>> GetClaimsAsync(PortalRole role, CancellationToken cancellationToken = default) =>
        await db.RoleClaims.Where(c => c.RoleId == role.Id).Select(c => new Claim(c.ClaimType!, c.ClaimValue!)).ToListAsync(cancellationToken);

    public override Task AddClaimAsync(PortalRole role, Claim claim, CancellationToken cancellationToken = default)
    {
        db.RoleClaims.Add(CreateRoleClaim(role, claim));
        return Task.CompletedTask;
    }

    public override async Task RemoveClaimAsync(PortalRole role, Claim claim, CancellationToken cancellationToken = default)
    {
        var matches = await db.RoleClaims
            .Where(c => c.RoleId == role.Id && c.ClaimValue == claim.Value && c.ClaimType == claim.Type)
            .ToListAsync(cancellationToken);
        db.RoleClaims.RemoveRange(matches);
    }
}
