using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>SQLite's planner statistics are gathered by the product, with no manual ANALYZE (issue 30, item 6).</summary>
public sealed class SqliteStatisticsTests
{
    [Fact]
    public async Task A_database_filled_without_statistics_gets_them()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = StoreRegistration.AddDbContext(new ServiceCollection(), DatabaseProvider.Sqlite, database.ConnectionString)
            .BuildServiceProvider();
        var contexts = services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            var now = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);
            db.Organisations.AddRange(Enumerable.Range(0, 2_000).Select(i => new Organisation { Name = $"Org {i:D4}", CountryCode = "NL", CreatedAt = now }));
            await db.SaveChangesAsync();
            Assert.Empty(await StatisticsAsync(db));
        }

        await new SqliteStatistics(contexts, TimeProvider.System, NullLogger<SqliteStatistics>.Instance).UpdateAsync();

        await using (var db = await contexts.CreateDbContextAsync())
        {
            Assert.Contains("Organisations", await StatisticsAsync(db));
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, true)]
    [InlineData(DatabaseProvider.PostgreSql, false)]
    public async Task Only_a_SQLite_portal_runs_it(DatabaseProvider provider, bool runs)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        Assert.Equal(runs, portal.Services.GetServices<IHostedService>().OfType<SqliteStatistics>().Any());
    }

    /// <summary>The tables sqlite_stat1 has rows for; none while the database was never analyzed.</summary>
    private static async Task<List<string>> StatisticsAsync(CredentialPortalDbContext db) =>
        await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS Value FROM sqlite_master WHERE name = 'sqlite_stat1'").SingleAsync() == 0
            ? []
            : await db.Database.SqlQueryRaw<string>("SELECT DISTINCT tbl AS Value FROM sqlite_stat1").ToListAsync();
}
