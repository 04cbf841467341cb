using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// Upgrading a database from the schema before <c>OutboxChannels</c>, where webhooks borrowed the email columns of
/// OutboxEmails (kind 6, recipient "webhook endpoint N", the event type as subject, the payload as text body, endpoint
/// and message id only in the identity key): every row reaches OutboxMessages with its id and delivery state, the
/// webhook rows as webhook-channel rows with their endpoint, message id, event type and payload in their own columns,
/// and the identity continues after the copied ids. Migrating back restores the old form.
/// </summary>
public sealed class OutboxChannelsUpgradeTests
{
    private static readonly DateTime Queued = new(2026, 12, 5, 9, 30, 0, DateTimeKind.Utc);
    private const string Payload = """{"type":"credential.created","data":{"credential_id":7}}""";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Webhook_rows_become_webhook_channel_rows_and_emails_keep_their_fields(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        string before;
        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var channels = migrations.FindIndex(m => m.EndsWith("_OutboxChannels", StringComparison.Ordinal));
            Assert.True(channels > 0, "The OutboxChannels migration is missing.");
            before = migrations[channels - 1];
            await db.GetService<IMigrator>().MigrateAsync(before);
            await InsertOldRowsAsync(db, provider);
            await db.Database.MigrateAsync();
        }

        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            var rows = await db.OutboxMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
            Assert.Equal([10L, 11L, 12L], rows.Select(r => r.Id));
            Assert.Collection(rows,
                reminder =>
                {
                    Assert.Equal((OutboxChannel.Email, EmailKind.Reminder, OutboxStatus.Sent, 1), (reminder.Channel, reminder.EmailKind, reminder.Status, reminder.Attempts));
                    Assert.Equal(("reminder/7/21d", "ann@partner.example\nbob@partner.example", "expires in 21 days", 7),
                        (reminder.IdentityKey, reminder.Recipients, reminder.Subject, reminder.CredentialId));
                    Assert.Equal(Queued.AddMinutes(1), reminder.SentAt);
                    Assert.Equal(["ann@partner.example", "bob@partner.example"], reminder.ToEmailMessage().To);
                    Assert.Equal((null, null, null, null), (reminder.WebhookEndpointId, reminder.WebhookMessageId, reminder.WebhookEventType, reminder.WebhookPayload));
                },
                webhook =>
                {
                    Assert.Equal((OutboxChannel.Webhook, OutboxStatus.Pending, 2, "HTTP 503"), (webhook.Channel, webhook.Status, webhook.Attempts, webhook.LastError));
                    Assert.Equal((5, "msg_0123abcd", "credential.created", Payload),
                        (webhook.WebhookEndpointId, webhook.WebhookMessageId, webhook.WebhookEventType, webhook.WebhookPayload));
                    Assert.Equal(("webhook/5/msg_0123abcd", 3, 4, 7), (webhook.IdentityKey, webhook.OrganisationId, webhook.ApplicationId, webhook.CredentialId));
                    Assert.Equal(Queued.AddMinutes(5), webhook.NextAttemptAt);
                    // No borrowed email fields left: no made-up recipient, no event type as subject.
                    Assert.Equal((null, null, null, null, null), (webhook.EmailKind, webhook.Recipients, webhook.Subject, webhook.TextBody, webhook.HtmlBody));
                },
                failed =>
                {
                    Assert.Equal((OutboxChannel.Webhook, OutboxStatus.Failed, 12), (failed.Channel, failed.Status, failed.Attempts));
                    Assert.Equal((123456, "msg_expiry_7_7d", "credential.expiring"), (failed.WebhookEndpointId, failed.WebhookMessageId, failed.WebhookEventType));
                });

            // The identity continues after the copied ids, and the unique key still holds a webhook message to one queueing.
            var added = OutboxMessage.ForWebhook(Queued, "webhook/6/msg_new", 6, "msg_new", "credential.deleted", "{}", 3, 4, null);
            db.OutboxMessages.Add(added);
            await db.SaveChangesAsync();
            Assert.True(added.Id > 12, $"New id {added.Id} is not after the copied ones.");
            db.OutboxMessages.Add(OutboxMessage.ForWebhook(Queued, "webhook/5/msg_0123abcd", 5, "msg_0123abcd", "credential.created", "{}", 3, 4, 7));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        await using (var db = StoreRegistration.CreateStandaloneContext(provider, database.ConnectionString))
        {
            await db.GetService<IMigrator>().MigrateAsync(before);
            string Q(string name) => provider == DatabaseProvider.SqlServer ? $"[{name}]" : $"\"{name}\"";
            var sql = $"SELECT {Q("Recipients")} AS {Q("Value")} FROM {Q("OutboxEmails")} WHERE {Q("Kind")} = 6 AND {Q("Subject")} = 'credential.created' AND {Q("TextBody")} = {{0}}";
            Assert.Equal("webhook endpoint 5", await db.Database.SqlQueryRaw<string>(sql, Payload).SingleAsync());
        }
    }

    /// <summary>A sent reminder, a pending webhook message in back-off and a failed one, written as the old schema held them.</summary>
    private static async Task InsertOldRowsAsync(CredentialPortalDbContext db, DatabaseProvider provider)
    {
        string Q(string name) => provider == DatabaseProvider.SqlServer ? $"[{name}]" : $"\"{name}\"";
        Dictionary<string, object>[] rows =
        [
            new() { ["Id"] = 10L, ["Kind"] = 4, ["IdentityKey"] = "reminder/7/21d", ["Recipients"] = "ann@partner.example\nbob@partner.example",
                ["Subject"] = "expires in 21 days", ["TextBody"] = "", ["HtmlBody"] = "", ["Status"] = 1, ["CreatedAt"] = Queued, ["Attempts"] = 1,
                ["NextAttemptAt"] = Queued, ["SentAt"] = Queued.AddMinutes(1), ["OrganisationId"] = 3, ["ApplicationId"] = 4, ["SecretId"] = 7 },
            new() { ["Id"] = 11L, ["Kind"] = 6, ["IdentityKey"] = "webhook/5/msg_0123abcd", ["Recipients"] = "webhook endpoint 5",
                ["Subject"] = "credential.created", ["TextBody"] = Payload, ["HtmlBody"] = "", ["Status"] = 0, ["CreatedAt"] = Queued, ["Attempts"] = 2,
                ["NextAttemptAt"] = Queued.AddMinutes(5), ["LastError"] = "HTTP 503", ["OrganisationId"] = 3, ["ApplicationId"] = 4, ["SecretId"] = 7 },
            new() { ["Id"] = 12L, ["Kind"] = 6, ["IdentityKey"] = "webhook/123456/msg_expiry_7_7d", ["Recipients"] = "webhook endpoint 123456",
                ["Subject"] = "credential.expiring", ["TextBody"] = "{}", ["HtmlBody"] = "", ["Status"] = 2, ["CreatedAt"] = Queued, ["Attempts"] = 12,
                ["NextAttemptAt"] = Queued, ["LastError"] = "HTTP 500", ["OrganisationId"] = 3, ["ApplicationId"] = 4, ["SecretId"] = 7 },
        ];
        foreach (var row in rows)
        {
            // Column names from this method only; the values are parameters.
            var insert = $"INSERT INTO {Q("OutboxEmails")} ({string.Join(", ", row.Keys.Select(Q))}) VALUES ({string.Join(", ", row.Keys.Select((_, i) => $"{{{i}}}"))})";
            if (provider == DatabaseProvider.SqlServer)
            {
                insert = $"SET IDENTITY_INSERT {Q("OutboxEmails")} ON; {insert}; SET IDENTITY_INSERT {Q("OutboxEmails")} OFF;";
            }

            await db.Database.ExecuteSqlRawAsync(insert, row.Values);
        }
    }
}
