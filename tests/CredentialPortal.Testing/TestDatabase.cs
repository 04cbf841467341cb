using CredentialPortal.Core.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CredentialPortal.Testing;

/// <summary>
/// A throw-away database on any provider. PostgreSQL comes from <c>CREDENTIALPORTAL_TEST_POSTGRES</c> and SQL Server
/// from <c>CREDENTIALPORTAL_TEST_SQLSERVER</c> (connection strings to a server where the user may create databases;
/// <c>test.sh</c> starts a PostgreSQL one); each instance creates its own database there and drops it when disposed.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "CREDENTIALPORTAL_TEST_POSTGRES";
    public const string SqlServerVariable = "CREDENTIALPORTAL_TEST_SQLSERVER";

    private readonly string? _serverDatabase;

    private TestDatabase(DatabaseProvider provider, string connectionString, string directory, string? serverDatabase)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Directory = directory;
        _serverDatabase = serverDatabase;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>A temporary folder that belongs to this database (SQLite file, mail folder, artifacts).</summary>
    public string Directory { get; }

    public static string? PostgresServer => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;
    public static string? SqlServer => Environment.GetEnvironmentVariable(SqlServerVariable) is { Length: > 0 } value ? value : null;

    public static bool IsAvailable(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.PostgreSql => PostgresServer is not null,
        DatabaseProvider.SqlServer => SqlServer is not null,
        _ => true,
    };

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var directory = Path.Combine(Path.GetTempPath(), "credentialportal-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        if (provider == DatabaseProvider.Sqlite)
        {
            var sqlite = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "test.db") };
            return new TestDatabase(provider, sqlite.ToString(), directory, null);
        }

        var name = "cp_test_" + Guid.NewGuid().ToString("N");
        if (provider == DatabaseProvider.SqlServer)
        {
            var sqlServer = SqlServer ?? throw new InvalidOperationException($"{SqlServerVariable} is not set.");
            await ExecuteAsync(new SqlConnection(sqlServer), $"CREATE DATABASE [{name}]");
            return new TestDatabase(provider, new SqlConnectionStringBuilder(sqlServer) { InitialCatalog = name }.ToString(), directory, name);
        }

        var server = PostgresServer ?? throw new InvalidOperationException($"{PostgresVariable} is not set.");
        await ExecuteAsync(new NpgsqlConnection(server), $"CREATE DATABASE \"{name}\"");
        return new TestDatabase(provider, new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString(), directory, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_serverDatabase is not null && Provider == DatabaseProvider.PostgreSql)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(new NpgsqlConnection(PostgresServer), $"DROP DATABASE IF EXISTS \"{_serverDatabase}\" WITH (FORCE)");
        }
        else if (_serverDatabase is not null)
        {
            SqlConnection.ClearAllPools();
            await ExecuteAsync(new SqlConnection(SqlServer),
                $"ALTER DATABASE [{_serverDatabase}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_serverDatabase}]");
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a lingering process; the OS temp cleaner will get it.
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }
}
