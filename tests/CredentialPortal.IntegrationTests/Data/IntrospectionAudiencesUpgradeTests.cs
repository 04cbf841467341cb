using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// Upgrading a database whose applications predate <c>IntrospectionAudiences</c>: each keeps its row and gets an empty
/// list, so a resource server among them keeps introspecting the partner APIs' tokens.
/// </summary>
public sealed class IntrospectionAudiencesUpgradeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Existing_applications_get_an_empty_list_of_audiences(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            await db.Database.MigrateAsync();
            var now = new DateTime(2026, 12, 6, 9, 0, 0, DateTimeKind.Utc);
            db.Applications.Add(new Application
            {
                ClientId = "3f0c9a52-5d1e-4b8e-9d0a-6c1f1f0e2b7a",
                Name = "Partner-NL-Upgrade-DM",
                ApiCode = "DM",
                IsActive = true,
                IsResourceServer = true,
                CreatedAt = now,
                Organisation = new Organisation { Name = "Upgrade", CountryCode = "NL", CreatedAt = now },
            });
            await db.SaveChangesAsync();

            // Back to the schema before the column, with the application in it, and up again.
            var migrations = db.Database.GetMigrations().ToList();
            var added = migrations.FindIndex(m => m.EndsWith("_IntrospectionAudiences", StringComparison.Ordinal));
            Assert.True(added > 0, "The IntrospectionAudiences migration is missing.");
            await db.GetService<IMigrator>().MigrateAsync(migrations[added - 1]);
            await db.Database.MigrateAsync();
        }

        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            var application = await db.Applications.AsNoTracking().SingleAsync();
            Assert.Equal(("Partner-NL-Upgrade-DM", true), (application.Name, application.IsResourceServer));
            Assert.Empty(application.IntrospectionAudiences);
        }
    }
}
