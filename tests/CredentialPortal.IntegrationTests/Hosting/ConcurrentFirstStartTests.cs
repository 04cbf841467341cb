using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>Scale-out: several instances started at once on one empty PostgreSQL database.</summary>
public sealed class ConcurrentFirstStartTests
{
    private const int Instances = 3;

    [Fact]
    public async Task Instances_starting_at_once_on_an_empty_database_all_run_and_create_one_first_administrator()
    {
        Providers.SkipIfUnavailable(DatabaseProvider.PostgreSql);
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        var apps = Enumerable.Range(0, Instances).Select(i =>
        {
            var directory = Path.Combine(database.Directory, $"instance{i}");
            Directory.CreateDirectory(directory);
            return AppProcess.Start(directory, "--Database:Provider=PostgreSql", $"--ConnectionStrings:CredentialPortal={database.ConnectionString}");
        }).ToList();
        try
        {
            await Task.WhenAll(apps.Select(app => app.WaitForOutputAsync("Now listening on: ", TestContext.Current.CancellationToken)));

            Assert.Single(apps, app => app.StandardOutput.Contains("First administrator created.", StringComparison.Ordinal));
            Assert.All(apps, app => Assert.DoesNotContain("already taken", app.StandardOutput + app.StandardError, StringComparison.Ordinal));
            // They take turns at the migrations and the first-start setup, so no loser's failed statement is logged.
            Assert.All(apps, app => Assert.DoesNotContain(" ERR ", app.StandardOutput + app.StandardError, StringComparison.Ordinal));
            await using var db = StoreRegistration.CreateStandaloneContext(database.Provider, database.ConnectionString);
            Assert.Equal(["admin@operator.example"], await db.Users.Select(u => u.Email).ToListAsync());
            Assert.Equal(1, await db.UserRoles.CountAsync());
            Assert.Equal(1, await db.Organisations.CountAsync());
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }
}
