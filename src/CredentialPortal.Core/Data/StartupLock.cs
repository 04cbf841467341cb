using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Data;

/// <summary>
/// One instance at a time through the start-up work that writes the schema or the first data (migrations, the first
/// administrator), when several start together on one database server. Without it the outcome is the same — EF's
/// migration lock and a unique index settle who wins, and the losers carry on — but each loser's failed statements are
/// logged as errors by EF before they are settled, which an operator reads as a fault. A session-level lock on a
/// connection of its own, held until disposed: a PostgreSQL advisory lock, a SQL Server application lock. SQLite needs
/// none: its one writer already serialises the work, and instances share a file only on one machine.
/// </summary>
public sealed class StartupLock : IAsyncDisposable
{
    // The advisory lock's key is "CPStart" in ASCII (0x43505374617274), recognisable in pg_locks.
    private const string PostgreSqlLock = "SELECT pg_advisory_lock(18947142804664948)";
    private const string PostgreSqlUnlock = "SELECT pg_advisory_unlock(18947142804664948)";
    private const string SqlServerLock =
        "EXEC sp_getapplock @Resource = 'CredentialPortal start-up', @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = -1";
    private const string SqlServerUnlock = "EXEC sp_releaseapplock @Resource = 'CredentialPortal start-up', @LockOwner = 'Session'";

    private readonly CredentialPortalDbContext? _db;

    private StartupLock(CredentialPortalDbContext? db) => _db = db;

    /// <summary>
    /// Waits, without a timeout, until no other instance holds the lock: another's migrations may take minutes. The
    /// database must exist (<see cref="DatabaseMigrator"/> creates it first).
    /// </summary>
    public static async Task<StartupLock> AcquireAsync(IDbContextFactory<CredentialPortalDbContext> contexts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        var db = await contexts.CreateDbContextAsync(cancellationToken);
        var sql = db.Database.IsNpgsql() ? PostgreSqlLock : db.Database.IsSqlServer() ? SqlServerLock : null;
        if (sql is null)
        {
            await db.DisposeAsync();
            return new StartupLock(null);
        }

        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            db.Database.SetCommandTimeout(TimeSpan.Zero);
            await db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
            return new StartupLock(db);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Releases the lock. Explicitly: a pooled connection keeps its server session, and with it a session-level lock,
    /// after it is closed. Should the unlock fail, the connection is broken and its session, lock included, ends with it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_db is not null)
        {
            try
            {
                await _db.Database.ExecuteSqlRawAsync(_db.Database.IsNpgsql() ? PostgreSqlUnlock : SqlServerUnlock);
            }
            finally
            {
                await _db.DisposeAsync();
            }
        }
    }
}
