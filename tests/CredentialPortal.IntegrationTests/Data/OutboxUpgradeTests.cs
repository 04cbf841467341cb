using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// Upgrading a database of the first version: the reminders it already sent keep their slot claimed in the email
/// outbox, so no partner gets a reminder twice because of the upgrade.
/// </summary>
public sealed class OutboxUpgradeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Reminders_sent_before_the_outbox_keep_their_slots_claimed(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString);
        var migrations = db.Database.GetMigrations().ToList();
        var outbox = migrations.FindIndex(m => m.EndsWith("_EmailOutbox", StringComparison.Ordinal));
        await db.GetService<IMigrator>().MigrateAsync(migrations[outbox - 1]);

        // The first version's rows (status 1 sent, 2 failed, 0 pending); secrets 7 and 8 need not exist for this.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync(provider switch
        {
            DatabaseProvider.Sqlite => "PRAGMA foreign_keys = OFF",
            DatabaseProvider.PostgreSql => "SET session_replication_role = replica",
            _ => "ALTER TABLE ReminderDeliveries NOCHECK CONSTRAINT ALL",
        });
        var insert = "INSERT INTO " + (provider == DatabaseProvider.SqlServer ? "[ReminderDeliveries] " : "\"ReminderDeliveries\" ")
            + Columns(provider) + " VALUES ({0}, {1}, {2}, {3}, 1, {3}, {3})";
        foreach (var (secret, slot, status) in new[] { (7, "42d", 1), (7, "21d", 2), (8, "7d", 0) })
        {
            await db.Database.ExecuteSqlRawAsync(insert, secret, slot, status, DateTime.UtcNow);
        }

        await db.Database.CloseConnectionAsync();
        await db.Database.MigrateAsync();

        var rows = await db.OutboxMessages.AsNoTracking().OrderBy(e => e.IdentityKey).ToListAsync();
        Assert.Equal(["reminder/7/21d", "reminder/7/42d"], rows.Select(r => r.IdentityKey));
        Assert.Equal([OutboxStatus.Failed, OutboxStatus.Sent], rows.Select(r => r.Status));
        Assert.All(rows, r => Assert.Equal((OutboxChannel.Email, EmailKind.Reminder, 7), (r.Channel, r.EmailKind, r.CredentialId)));
    }

    private static string Columns(DatabaseProvider provider) => provider == DatabaseProvider.SqlServer
        ? "([SecretId], [Slot], [Status], [CreatedAt], [Attempts], [NextAttemptAt], [SentAt])"
        : "(\"SecretId\", \"Slot\", \"Status\", \"CreatedAt\", \"Attempts\", \"NextAttemptAt\", \"SentAt\")";
}
