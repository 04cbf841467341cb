using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CredentialPortal.Core.Data;

/// <summary>
/// The one place that decides whether an exception means "the database cannot be reached right now" — an outage the
/// caller should retry later — rather than a bug or a refused change. The token endpoint, the management API, the
/// portal and the background writers all ask here, so they agree on what an outage is.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>How long clients are told to wait (Retry-After) before retrying during an outage.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN (https://www.sqlite.org/rescode.html): the file is
    // held by another writer or cannot be read, not a statement that is wrong.
    private static readonly int[] SqliteOutageCodes = [5, 6, 10, 14];

    // SqlClient reports connection failures as error numbers only: timeout (-2), network and login-path errors, and
    // Azure SQL's "busy / unavailable / moving" errors.
    private static readonly int[] SqlServerOutageNumbers =
        [-2, 20, 53, 64, 233, 4060, 10053, 10054, 10060, 10061, 10928, 10929, 11001, 40197, 40501, 40613, 49918, 49919, 49920];

    /// <summary>
    /// True when <paramref name="exception"/>, or any exception it wraps, is a connection-level or transient database
    /// failure. Wrappers are looked through: EF Core's execution strategies (Npgsql's default one rethrows a transient
    /// <see cref="DbException"/> inside an <see cref="InvalidOperationException"/>), <see cref="RetryLimitExceededException"/>
    /// and <see cref="Microsoft.EntityFrameworkCore.DbUpdateException"/>. A constraint violation or a bad statement is not an outage.
    /// </summary>
    public static bool IsOutage(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case RetryLimitExceededException or TimeoutException:
                    return true;
                case PostgresException postgres:
                    // Class 08 (connection exception) and 57P01-03 (the server shutting down, crashed or starting up)
                    // are what a stopped server sends; Npgsql only calls some of them transient.
                    return postgres.IsTransient || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow;
                case NpgsqlException:
                    // Raised by Npgsql itself, not by the server (that is PostgresException, above): the connection could
                    // not be made, broke or timed out — or, on a multi-host connection string during a failover, no host
                    // is the primary yet ("No suitable host was found", which Npgsql does not call transient).
                    return true;
                case SqliteException sqlite:
                    return SqliteOutageCodes.Contains(sqlite.SqliteErrorCode);
                case SqlException sql:
                    return sql.IsTransient || sql.Errors.Cast<SqlError>().Any(e => SqlServerOutageNumbers.Contains(e.Number));
                case DbException db when db.IsTransient:
                    return true;
            }
        }

        return false;
    }
}
