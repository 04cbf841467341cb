using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// During a failover (issue 31, item 1) a multi-host connection string finds no primary until the standby is promoted;
/// bench/failover.sh runs the whole failover with two clusters and two instances, this the part that decides the answer.
/// </summary>
public sealed class FailoverTests
{
    [Fact]
    public async Task No_primary_among_the_hosts_is_an_outage_so_callers_get_503_and_retry()
    {
        Providers.SkipIfUnavailable(DatabaseProvider.PostgreSql);
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        // The test server is a primary, named twice (a multi-host string, as for a primary and its standby): asking for a
        // standby there is what asking for the primary is while the only host left is a standby not yet promoted.
        var server = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var noPrimary = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Host = $"{server.Host}:{server.Port},{server.Host}:{server.Port}",
            TargetSessionAttributes = "standby",
            Pooling = false,
        };
        await using var db = StoreRegistration.CreateStandaloneContext(DatabaseProvider.PostgreSql, noPrimary.ToString());

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => db.Applications.AnyAsync(TestContext.Current.CancellationToken));

        Assert.Contains("No suitable host was found", failure.GetBaseException().Message + failure.InnerException?.Message, StringComparison.Ordinal);
        Assert.True(DatabaseOutage.IsOutage(failure));
    }
}
