using CredentialPortal.Core.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CredentialPortal.Testing;

/// <summary>
/// A throw-away database on either provider. PostgreSQL comes from <c>CREDENTIALPORTAL_TEST_POSTGRES</c> (a
/// connection string to a server where the user may create databases; <c>test.sh</c> starts one); each instance
/// creates its own database there and drops it when disposed.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "CREDENTIALPORTAL_TEST_POSTGRES";

    private readonly string? _postgresDatabase;

    private TestDatabase(DatabaseProvider provider, string connectionString, string directory, string? postgresDatabase)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Directory = directory;
        _postgresDatabase = postgresDatabase;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>A temporary folder that belongs to this database (SQLite file, mail folder, artifacts).</summary>
    public string Directory { get; }

    public static string? PostgresServer => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    public static bool IsAvailable(DatabaseProvider provider) => provider == DatabaseProvider.Sqlite || PostgresServer is not null;

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var directory = Path.Combine(Path.GetTempPath(), "credentialportal-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        if (provider == DatabaseProvider.Sqlite)
        {
            var sqlite = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "test.db") };
            return new TestDatabase(provider, sqlite.ToString(), directory, null);
        }

        var server = PostgresServer ?? throw new InvalidOperationException($"{PostgresVariable} is not set.");
        var name = "cp_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return new TestDatabase(provider, builder.ToString(), directory, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(PostgresServer);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
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
}
