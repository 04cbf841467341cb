using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CredentialPortal.Core.Data;

/// <summary>
/// The per-connection SQLite settings, applied each time EF opens a connection (the journal mode is the file's, set by
/// <see cref="DatabaseMigrator"/>). <c>synchronous=NORMAL</c>: in write-ahead-log mode a commit is durable when the
/// process dies and the file never corrupts; only the last commits before a power cut or OS crash may be lost — the
/// setting SQLite recommends for WAL, and what keeps a commit from costing an fsync (which bounded the token endpoint's
/// private_key_jwt path, one replay-store insert per token, to about 1,000 tokens/s). <c>busy_timeout</c>: a writer
/// waits for another one inside SQLite, in steps of milliseconds, instead of Microsoft.Data.Sqlite's 150 ms retry sleeps.
/// </summary>
public sealed class SqliteConnectionPragmas : DbConnectionInterceptor
{
    public static readonly SqliteConnectionPragmas Instance = new();

    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
