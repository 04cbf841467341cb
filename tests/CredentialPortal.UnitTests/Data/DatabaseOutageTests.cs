using System.Net;
using System.Net.Sockets;
using CredentialPortal.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CredentialPortal.UnitTests.Data;

public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task PostgreSQL_refusing_connections_is_an_outage_also_inside_the_execution_strategys_wrapper()
    {
        await using var db = StoreRegistration.CreateStandaloneContext(DatabaseProvider.PostgreSql,
            $"Host=127.0.0.1;Port={ClosedPort()};Username=nobody;Database=nothing;Pooling=false");

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => db.Applications.AnyAsync());

        // Npgsql's default execution strategy rethrows a transient failure wrapped; the wrapper is what callers see.
        Assert.IsType<InvalidOperationException>(failure);
        Assert.IsAssignableFrom<NpgsqlException>(failure.InnerException);
        Assert.True(DatabaseOutage.IsOutage(failure));
    }

    [Fact]
    public async Task A_SQLite_file_that_cannot_be_opened_is_an_outage()
    {
        var missingFolder = Path.Combine(Path.GetTempPath(), "credentialportal-missing-" + Guid.NewGuid().ToString("N"), "x.db");
        await using var db = StoreRegistration.CreateStandaloneContext(DatabaseProvider.Sqlite, $"Data Source={missingFolder}");

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => db.Applications.AnyAsync());

        Assert.Equal(14, Assert.IsType<SqliteException>(failure).SqliteErrorCode); // SQLITE_CANTOPEN
        Assert.True(DatabaseOutage.IsOutage(failure));
    }

    [Fact]
    public async Task A_refused_SQLite_statement_is_no_outage()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1); INSERT INTO t VALUES (1);";

        var failure = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(19, failure.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.False(DatabaseOutage.IsOutage(failure));
        Assert.False(DatabaseOutage.IsOutage(new DbUpdateException("save failed", failure)));
    }

    [Theory]
    [InlineData("57P01", true)] // admin_shutdown: the server is being stopped
    [InlineData("57P03", true)] // cannot_connect_now: starting up
    [InlineData("08006", true)] // connection_failure
    [InlineData("53300", true)] // too_many_connections
    [InlineData("23505", false)] // unique_violation
    [InlineData("42P01", false)] // undefined_table: a bug or a missing migration, not an outage
    public void PostgreSQL_errors_are_outages_by_their_SQLSTATE(string sqlState, bool outage)
    {
        var error = new PostgresException("message", "FATAL", "FATAL", sqlState);

        Assert.Equal(outage, DatabaseOutage.IsOutage(new DbUpdateException("save failed", error)));
    }

    [Fact]
    public void Retry_exhaustion_and_timeouts_are_outages_and_other_failures_are_not()
    {
        Assert.True(DatabaseOutage.IsOutage(new RetryLimitExceededException("gave up", new InvalidOperationException())));
        Assert.True(DatabaseOutage.IsOutage(new TimeoutException()));
        Assert.False(DatabaseOutage.IsOutage(new InvalidOperationException("Sequence contains no elements")));
        Assert.False(DatabaseOutage.IsOutage(null));
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
