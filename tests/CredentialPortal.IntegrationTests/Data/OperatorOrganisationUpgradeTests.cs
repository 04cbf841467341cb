using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// Upgrading through <c>OperatorOrganisation</c>: the organisations whose users already administer become the
/// operator's, so no administrator loses the role; an organisation with users but no administrator stays a partner.
/// </summary>
public sealed class OperatorOrganisationUpgradeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Organisations_with_an_administrator_become_the_operators(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            await db.Database.MigrateAsync();
            var now = new DateTime(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
            var operating = new Organisation { Name = "Registry", CountryCode = "NL", CreatedAt = now };
            var partner = new Organisation { Name = "Acme", CountryCode = "DE", CreatedAt = now };
            var role = new PortalRole { Id = Guid.NewGuid(), Name = PortalRole.Administrator, NormalizedName = PortalRole.AdministratorKey };
            var admin = User("admin@registry.example", operating, now);
            db.AddRange(operating, partner, role, admin, User("max@acme.example", partner, now));
            db.UserRoles.Add(new IdentityUserRole<Guid> { UserId = admin.Id, RoleId = role.Id });
            await db.SaveChangesAsync();

            // Back to the schema before the column, then up again: the migration's own rule decides.
            var migrations = db.Database.GetMigrations().ToList();
            var index = migrations.FindIndex(m => m.EndsWith("_OperatorOrganisation", StringComparison.Ordinal));
            Assert.True(index > 0, "The OperatorOrganisation migration is missing.");
            await db.GetService<IMigrator>().MigrateAsync(migrations[index - 1]);
            await db.Database.MigrateAsync();
        }

        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            var flags = await db.Organisations.OrderBy(o => o.Name).Select(o => new { o.Name, o.IsOperator }).ToListAsync();
            Assert.Equal([("Acme", false), ("Registry", true)], flags.Select(f => (f.Name, f.IsOperator)));
        }
    }

    private static PortalUser User(string email, Organisation organisation, DateTime now) => new()
    {
        Id = Guid.NewGuid(),
        Email = email,
        UserName = email,
        NormalizedEmail = email.ToUpperInvariant(),
        NormalizedUserName = email.ToUpperInvariant(),
        Organisation = organisation,
        CreatedAt = now,
    };
}
