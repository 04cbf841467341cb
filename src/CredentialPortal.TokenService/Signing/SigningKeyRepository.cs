using CredentialPortal.Core.Data;
using CredentialPortal.Core.Signing;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.TokenService.Signing;

/// <summary>
/// The signing keys in the database: reads the ones still published and creates the ones <see cref="SigningKeyRotation"/>
/// finds missing, under a table lock so that instances starting (or rotating) together agree on one key.
/// </summary>
public sealed class SigningKeyRepository(
    IDbContextFactory<CredentialPortalDbContext> contexts, SigningKeyFactory factory, SigningKeyRotation rotation)
{
    /// <summary>The keys not yet unpublished at <paramref name="now"/>, after creating any that are missing.</summary>
    public async Task<List<SigningKey>> LoadCreatingMissingAsync(DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await LoadPublishedAsync(db, now, cancellationToken);
        return rotation.NeedsNewKey(rows, now) ? await CreateMissingAsync(db, now, cancellationToken) : rows;
    }

    private static Task<List<SigningKey>> LoadPublishedAsync(CredentialPortalDbContext db, DateTime now, CancellationToken cancellationToken) =>
        db.SigningKeys.AsNoTracking().Where(k => k.UnpublishAt > now).ToListAsync(cancellationToken);

    private async Task<List<SigningKey>> CreateMissingAsync(CredentialPortalDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        // SQLite's BEGIN IMMEDIATE already serialises writers; the servers need an explicit table lock so that a second
        // instance rereads after the first one's commit instead of creating a key of its own.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE \"SigningKeys\" IN SHARE ROW EXCLUSIVE MODE", cancellationToken);
        }
        else if (db.Database.IsSqlServer())
        {
            await db.Database.ExecuteSqlRawAsync("SELECT TOP (0) 1 FROM [SigningKeys] WITH (TABLOCKX, HOLDLOCK)", cancellationToken);
        }

        var rows = await LoadPublishedAsync(db, now, cancellationToken);
        foreach (var window in rotation.Missing(rows, now))
        {
            var key = factory.Create(rotation.Algorithm, window, now);
            db.SigningKeys.Add(key);
            rows.Add(key);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }
}
