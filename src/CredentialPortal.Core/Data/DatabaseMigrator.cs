using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CredentialPortal.Core.Data;

/// <summary>Applies migrations and reports readiness, turning connection failures into one-line errors.</summary>
public sealed class DatabaseMigrator(IDbContextFactory<CredentialPortalDbContext> contextFactory, ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            await CreateDatabaseUnlessItExistsAsync(db, cancellationToken);
            // Instances starting together take turns: the first applies, the others find nothing pending.
            await using var turn = await StartupLock.AcquireAsync(contextFactory, cancellationToken);
            // EF learns that a new database has no history table from a query that fails, which it logs as an error;
            // the table EF would create first anyway spares operators that line on every first start.
            await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count == 0)
            {
                logger.LogInformation("Database schema is up to date");
            }
            else
            {
                logger.LogInformation("Applying migrations {Migrations}", pending);
                await ApplyAsync(cancellationToken);
            }

            if (db.Database.IsSqlite())
            {
                // Write-ahead logging (kept in the file once set): readers and the one writer no longer block each other,
                // and a commit appends to the log with one fsync instead of writing, syncing and deleting a rollback
                // journal. It matters where every request writes (a client assertion's single use, sign-ins).
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw new ConfigurationException("ConnectionStrings:" + DatabaseOptions.ConnectionStringName,
                $"cannot reach the database ({FirstLine(ex)})", ex);
        }
    }

    /// <summary>
    /// A server database the login may create is created here, as EF's migrations would, so that the start-up lock can
    /// be taken in it; an instance that loses the race to create it finds it created.
    /// </summary>
    private static async Task CreateDatabaseUnlessItExistsAsync(CredentialPortalDbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(cancellationToken))
        {
            return;
        }

        try
        {
            await creator.CreateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is PostgresException { SqlState: PostgresErrorCodes.DuplicateDatabase } or SqlException { Number: 1801 })
        {
            // Another instance created it a moment ago.
        }
    }

    /// <summary>
    /// Several instances may start at once; on a server database <see cref="StartupLock"/> makes them take turns. On
    /// SQLite EF's migration lock is held per migration transaction, so with more than one pending migration a second
    /// process on the same file can start one the first has just applied and fail on it. Such a failure is settled by
    /// looking again: what another instance applied is done; what is still pending is retried.
    /// </summary>
    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
                return;
            }
            catch (DbException ex) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                await using var check = await contextFactory.CreateDbContextAsync(cancellationToken);
                if (!(await check.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
                {
                    logger.LogInformation("Another instance applied the migrations meanwhile");
                    return;
                }

                logger.LogWarning(ex, "Applying migrations collided with another instance (attempt {Attempt}); retrying", attempt);
            }
        }
    }

    /// <summary>True when the database answers and every migration has been applied.</summary>
    public async Task<(bool Ready, string Description)> CheckReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? (true, "database reachable, migrations applied")
                : (false, $"pending migrations: {string.Join(", ", pending)}");
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            return (false, $"database unreachable: {FirstLine(ex)}");
        }
    }

    private static bool IsConnectionFailure(Exception ex) =>
        ex is NpgsqlException or SqliteException or SqlException or SocketException or TimeoutException
        || ex.InnerException is { } inner && IsConnectionFailure(inner);

    private static string FirstLine(Exception ex) => ex.Message.Split('\n', 2)[0].Trim();
}
