using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Hosting;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.ClientAuthentication;

/// <summary>
/// Single use of client assertions across every instance sharing the database (RFC 7523 §3, item 7): accepting an
/// assertion inserts its client_id and <c>jti</c> under a primary key, so the second insert — from this instance or
/// any other — fails and the replay is refused. Rows live until the assertion's <c>exp</c>, after which the
/// assertion is refused as expired anyway; <see cref="AssertionReplayPruner"/> deletes them.
/// </summary>
public sealed class AssertionReplayStore(IDbContextFactory<CredentialPortalDbContext> contexts)
{
    /// <summary>Records the use; false when the same client_id and jti were used before.</summary>
    public async Task<bool> TryUseAsync(string clientId, string jti, DateTime expiresAt, CancellationToken cancellationToken)
    {
        var id = IdFor(clientId, jti);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ClientAssertionUses.Add(new ClientAssertionUse { Id = id, ExpiresAt = expiresAt });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException) when (!cancellationToken.IsCancellationRequested)
        {
            // A duplicate key, or a real failure, which the check surfaces by finding no row.
            await using var check = await contexts.CreateDbContextAsync(cancellationToken);
            if (await check.ClientAssertionUses.AnyAsync(u => u.Id == id, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>A fixed-length key whatever the client sent; the jti is the client's to choose, so it is scoped by client_id.</summary>
    public static string IdFor(string clientId, string jti) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(clientId + "\n" + jti)));
}

/// <summary>Deletes replay-store rows whose assertions have expired, once a minute.</summary>
public sealed class AssertionReplayPruner(IDbContextFactory<CredentialPortalDbContext> contexts, TimeProvider time)
    : PeriodicBackgroundService(TimeSpan.FromMinutes(1), time)
{
    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PruneAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be unreachable or not yet migrated: the next pass tries again; expired rows do no harm.
        }
    }

    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ClientAssertionUses.Where(u => u.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
    }
}
