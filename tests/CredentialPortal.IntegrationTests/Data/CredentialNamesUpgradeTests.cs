using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// Upgrading a database from the schema before <c>CredentialNames</c> (credentials in the table ClientSecrets, an
/// application's SecretLimit, an audit event's SecretId): the migration renames, so every secret, key, limit and audit
/// reference is still there afterwards, the table's identity continues and its foreign key still cascades.
/// </summary>
public sealed class CredentialNamesUpgradeTests
{
    private static readonly DateTime Created = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Credentials_limits_and_audit_references_survive_the_rename(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var renaming = migrations.FindIndex(m => m.EndsWith("_CredentialNames", StringComparison.Ordinal));
            Assert.True(renaming > 0, "The CredentialNames migration is missing.");
            await db.GetService<IMigrator>().MigrateAsync(migrations[renaming - 1]);
            await InsertTodaysRowsAsync(db, provider);
            await db.Database.MigrateAsync();
        }

        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            var application = await db.Applications.SingleAsync(a => a.Name == "Partner-NL-Upgrade-DM");
            Assert.Equal(3, application.CredentialLimit);
            var credentials = await db.ClientCredentials.AsNoTracking().Where(c => c.ApplicationId == application.Id)
                .OrderBy(c => c.Id).ToListAsync();
            Assert.Collection(credentials,
                secret =>
                {
                    var s = Assert.IsType<ClientSecret>(secret);
                    Assert.Equal(("Production", "Ab3", 32), (s.Name, s.Hint, s.Hash.Length));
                    Assert.Equal(Created.AddYears(1), s.ExpiresAt);
                },
                key =>
                {
                    var k = Assert.IsType<ClientKey>(key);
                    Assert.Equal(("Signing key", "thumbprint-1", "EC P-256"), (k.Name, k.Hint, k.KeyDescription));
                    Assert.Equal(Created.AddDays(1), k.DisabledAt);
                });
            var audit = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.EventType == "secret.created");
            Assert.Equal(credentials[0].Id, audit.CredentialId);

            // The identity continues after the rows already there, and the foreign key still cascades.
            var added = new ClientSecret
            {
                ApplicationId = application.Id, Name = "After the upgrade", Hint = "Zz9", Hash = new byte[32],
                CreatedAt = Created, CreatedBy = "upgrade-test", ExpiresAt = Created.AddYears(1),
            };
            db.ClientSecrets.Add(added);
            await db.SaveChangesAsync();
            Assert.True(added.Id > credentials.Max(c => c.Id));
            db.Applications.Remove(application);
            await db.SaveChangesAsync();
            Assert.False(await db.ClientCredentials.AnyAsync());
        }
    }

    /// <summary>An organisation, an application with a limit, a secret, a disabled key and an audit event, written as the old schema names them.</summary>
    private static async Task InsertTodaysRowsAsync(CredentialPortalDbContext db, DatabaseProvider provider)
    {
        string Q(string name) => provider == DatabaseProvider.SqlServer ? $"[{name}]" : $"\"{name}\"";
        string Insert(string table, params string[] columns) =>
            $"INSERT INTO {Q(table)} ({string.Join(", ", columns.Select(Q))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"{{{i}}}"))})";
        async Task<int> IdOfAsync(string table, string column, string value)
        {
            // Names from this method only; the value is a parameter.
            var sql = $"SELECT {Q("Id")} AS {Q("Value")} FROM {Q(table)} WHERE {Q(column)} = {{0}}";
            return await db.Database.SqlQueryRaw<int>(sql, value).SingleAsync();
        }

        await db.Database.ExecuteSqlRawAsync(Insert("Organisations", "Name", "NormalizedName", "CountryCode", "IsActive", "CreatedAt"),
            "Upgrade", "UPGRADE", "NL", true, Created);
        var organisationId = await IdOfAsync("Organisations", "Name", "Upgrade");
        object version = provider == DatabaseProvider.Sqlite ? Guid.NewGuid().ToString().ToUpperInvariant() : Guid.NewGuid();
        object noEmails = provider == DatabaseProvider.PostgreSql ? Array.Empty<string>() : "[]";
        await db.Database.ExecuteSqlRawAsync(Insert("Applications", "ClientId", "Name", "OrganisationId", "ApiCode", "IsSandboxOnly", "IsActive",
                "SecretLimit", "AllowSelfRotation", "IsAdminAutomationClient", "IsResourceServer", "AuthenticationPolicy", "NotificationEmails",
                "CreatedAt", "Version"),
            SecretGenerator.NewClientId(), "Partner-NL-Upgrade-DM", organisationId, "DM", false, true, 3, false, false, false, 0, noEmails, Created, version);
        var applicationId = await IdOfAsync("Applications", "Name", "Partner-NL-Upgrade-DM");
        await db.Database.ExecuteSqlRawAsync(Insert("ClientSecrets", "ApplicationId", "Kind", "Name", "Hint", "Hash", "CreatedAt", "CreatedBy", "ExpiresAt"),
            applicationId, 0, "Production", "Ab3", SecretGenerator.Hash("upgrade"), Created, "ann@partner.example", Created.AddYears(1));
        await db.Database.ExecuteSqlRawAsync(Insert("ClientSecrets", "ApplicationId", "Kind", "Name", "Hint", "PublicJwk", "KeyDescription",
                "CreatedAt", "CreatedBy", "ExpiresAt", "DisabledAt", "DisabledBy"),
            applicationId, 1, "Signing key", "thumbprint-1", "{\"kty\":\"EC\"}", "EC P-256", Created, "ann@partner.example", Created.AddYears(1),
            Created.AddDays(1), "ann@partner.example");
        var secretId = await IdOfAsync("ClientSecrets", "Name", "Production");
        await db.Database.ExecuteSqlRawAsync(Insert("AuditEvents", "OccurredAt", "EventType", "Actor", "ApplicationId", "SecretId", "Details"),
            Created, "secret.created", "ann@partner.example", applicationId, secretId, "secret 'Production' (Ab3…)");
    }
}
