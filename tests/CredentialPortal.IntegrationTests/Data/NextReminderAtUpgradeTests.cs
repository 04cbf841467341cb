using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// Upgrading through <c>NextReminderAt</c>: the credentials already there, and those the previous release adds while
/// the upgrade rolls out (it knows nothing of the column), are looked at by the next reminder pass.
/// </summary>
public sealed class NextReminderAtUpgradeTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 9, 0, 0, DateTimeKind.Utc);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Existing_credentials_and_those_the_previous_release_adds_are_looked_at_by_the_next_pass(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        int applicationId;
        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            await db.Database.MigrateAsync();
            var application = new Application
            {
                ClientId = SecretGenerator.NewClientId(),
                Name = "Partner-NL-Upgrade-DM",
                Organisation = new Organisation { Name = "Upgrade", CountryCode = "NL", CreatedAt = Now },
                ApiCode = "DM",
                CreatedAt = Now,
            };
            db.Applications.Add(application);
            await db.SaveChangesAsync();
            applicationId = application.Id;

            // Back to the schema before the column, rows written as the previous release writes them, then up again.
            var migrations = db.Database.GetMigrations().ToList();
            var index = migrations.FindIndex(m => m.EndsWith("_NextReminderAt", StringComparison.Ordinal));
            Assert.True(index > 0, "The NextReminderAt migration is missing.");
            await db.GetService<IMigrator>().MigrateAsync(migrations[index - 1]);
            await InsertAsThePreviousReleaseAsync(db, applicationId, "Near", Now.Date.AddDays(10));
            await InsertAsThePreviousReleaseAsync(db, applicationId, "Far", Now.Date.AddDays(300));
            await db.Database.MigrateAsync();

            // The previous release still running against the upgraded database.
            await InsertAsThePreviousReleaseAsync(db, applicationId, "During the upgrade", Now.Date.AddDays(200));
        }

        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            var credentials = await db.ClientCredentials.OrderBy(c => c.Id).Select(c => new { c.Name, c.NextReminderAt }).ToListAsync();
            Assert.Equal(["Near", "Far", "During the upgrade"], credentials.Select(c => c.Name));
            Assert.All(credentials, c => Assert.Equal(ClientCredential.FirstReminderCheck, c.NextReminderAt));
        }
    }

    /// <summary>A secret with the columns the previous release writes (it has no NextReminderAt).</summary>
    private static Task<int> InsertAsThePreviousReleaseAsync(CredentialPortalDbContext db, int applicationId, string name, DateTime expiresAt) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO "ClientCredentials" ("ApplicationId", "Kind", "Name", "Hash", "Hint", "CreatedAt", "CreatedBy", "ExpiresAt")
            VALUES ({applicationId}, 0, {name}, {new byte[32]}, 'abc', {Now}, 'previous release', {expiresAt})
            """);
}
