using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CredentialPortal.Migrations.PostgreSql.Migrations
{
    /// <summary>
    /// The outbox as channels (issue 26 item 3): OutboxEmails becomes OutboxMessages, whose rows have a Channel (0 email,
    /// 1 webhook) and a typed target — EmailKind, Recipients, Subject and the bodies for an email; WebhookEndpointId (no
    /// foreign key: the message outlives its endpoint), WebhookMessageId, WebhookEventType and WebhookPayload for a
    /// webhook — instead of webhooks borrowing the email columns (kind 6, a made-up recipient "webhook endpoint N", the
    /// event type as subject, the endpoint and message id parsed back out of the identity key). SecretId becomes
    /// CredentialId. Almost every column changes its meaning or its nullability, so the migration creates the new table,
    /// copies every row converting the webhook rows in SQL, and drops the old one (EF Core proposed dropping the rows).
    /// The identity sequence is moved past the copied ids, so new ids continue after them.
    /// </summary>
    public partial class OutboxChannels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OutboxMessages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Channel = table.Column<int>(type: "integer", nullable: false),
                    IdentityKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ClaimedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    SentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    OrganisationId = table.Column<int>(type: "integer", nullable: true),
                    ApplicationId = table.Column<int>(type: "integer", nullable: true),
                    CredentialId = table.Column<int>(type: "integer", nullable: true),
                    EmailKind = table.Column<int>(type: "integer", nullable: true),
                    Recipients = table.Column<string>(type: "character varying(16000)", maxLength: 16000, nullable: true),
                    Subject = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    TextBody = table.Column<string>(type: "character varying(32000)", maxLength: 32000, nullable: true),
                    HtmlBody = table.Column<string>(type: "character varying(32000)", maxLength: 32000, nullable: true),
                    WebhookEndpointId = table.Column<int>(type: "integer", nullable: true),
                    WebhookMessageId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    WebhookEventType = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    WebhookPayload = table.Column<string>(type: "character varying(32000)", maxLength: 32000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxMessages", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_CredentialId_EmailKind",
                table: "OutboxMessages",
                columns: new[] { "CredentialId", "EmailKind" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_IdentityKey",
                table: "OutboxMessages",
                column: "IdentityKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_Status_NextAttemptAt",
                table: "OutboxMessages",
                columns: new[] { "Status", "NextAttemptAt" });

            // Every row moves over with its id, status and history; a webhook row (kind 6) gets its endpoint and message id from the key webhook/{endpoint}/{message}.
            migrationBuilder.Sql("""
                INSERT INTO "OutboxMessages" ("Id", "Channel", "IdentityKey", "Status", "CreatedAt", "Attempts", "NextAttemptAt", "ClaimedBy", "ClaimedUntil", "SentAt", "LastError", "OrganisationId", "ApplicationId", "CredentialId", "EmailKind", "Recipients", "Subject", "TextBody", "HtmlBody", "WebhookEndpointId", "WebhookMessageId", "WebhookEventType", "WebhookPayload")
                SELECT "Id",
                    CASE WHEN "Kind" = 6 THEN 1 ELSE 0 END,
                    "IdentityKey",
                    "Status",
                    "CreatedAt",
                    "Attempts",
                    "NextAttemptAt",
                    "ClaimedBy",
                    "ClaimedUntil",
                    "SentAt",
                    "LastError",
                    "OrganisationId",
                    "ApplicationId",
                    "SecretId",
                    CASE WHEN "Kind" = 6 THEN NULL ELSE "Kind" END,
                    CASE WHEN "Kind" = 6 THEN NULL ELSE "Recipients" END,
                    CASE WHEN "Kind" = 6 THEN NULL ELSE "Subject" END,
                    CASE WHEN "Kind" = 6 THEN NULL ELSE "TextBody" END,
                    CASE WHEN "Kind" = 6 THEN NULL ELSE "HtmlBody" END,
                    CASE WHEN "Kind" = 6 THEN CAST(substr("IdentityKey", 9, strpos(substr("IdentityKey", 9), '/') - 1) AS integer) END,
                    CASE WHEN "Kind" = 6 THEN substr("IdentityKey", 9 + strpos(substr("IdentityKey", 9), '/')) END,
                    CASE WHEN "Kind" = 6 THEN "Subject" END,
                    CASE WHEN "Kind" = 6 THEN "TextBody" END
                FROM "OutboxEmails";
                SELECT setval(pg_get_serial_sequence('"OutboxMessages"', 'Id'), COALESCE(MAX("Id"), 0) + 1, false) FROM "OutboxMessages";
                """);

            migrationBuilder.DropTable(
                name: "OutboxEmails");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OutboxEmails",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ApplicationId = table.Column<int>(type: "integer", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    ClaimedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    HtmlBody = table.Column<string>(type: "character varying(32000)", maxLength: 32000, nullable: false),
                    IdentityKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    NextAttemptAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    OrganisationId = table.Column<int>(type: "integer", nullable: true),
                    Recipients = table.Column<string>(type: "character varying(16000)", maxLength: 16000, nullable: false),
                    SecretId = table.Column<int>(type: "integer", nullable: true),
                    SentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    Subject = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    TextBody = table.Column<string>(type: "character varying(32000)", maxLength: 32000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxEmails", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxEmails_IdentityKey",
                table: "OutboxEmails",
                column: "IdentityKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxEmails_SecretId_Kind",
                table: "OutboxEmails",
                columns: new[] { "SecretId", "Kind" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxEmails_Status_NextAttemptAt",
                table: "OutboxEmails",
                columns: new[] { "Status", "NextAttemptAt" });

            // Back to kind 6 rows with the endpoint as a made-up recipient, which is how the previous version reads them.
            migrationBuilder.Sql("""
                INSERT INTO "OutboxEmails" ("Id", "Kind", "IdentityKey", "Recipients", "Subject", "TextBody", "HtmlBody", "Status", "CreatedAt", "Attempts", "NextAttemptAt", "ClaimedBy", "ClaimedUntil", "SentAt", "LastError", "OrganisationId", "ApplicationId", "SecretId")
                SELECT "Id",
                    CASE WHEN "Channel" = 1 THEN 6 ELSE COALESCE("EmailKind", 0) END,
                    "IdentityKey",
                    CASE WHEN "Channel" = 1 THEN 'webhook endpoint ' || "WebhookEndpointId" ELSE COALESCE("Recipients", '') END,
                    CASE WHEN "Channel" = 1 THEN COALESCE("WebhookEventType", '') ELSE COALESCE("Subject", '') END,
                    CASE WHEN "Channel" = 1 THEN COALESCE("WebhookPayload", '') ELSE COALESCE("TextBody", '') END,
                    COALESCE("HtmlBody", ''),
                    "Status",
                    "CreatedAt",
                    "Attempts",
                    "NextAttemptAt",
                    "ClaimedBy",
                    "ClaimedUntil",
                    "SentAt",
                    "LastError",
                    "OrganisationId",
                    "ApplicationId",
                    "CredentialId"
                FROM "OutboxMessages";
                SELECT setval(pg_get_serial_sequence('"OutboxEmails"', 'Id'), COALESCE(MAX("Id"), 0) + 1, false) FROM "OutboxEmails";
                """);

            migrationBuilder.DropTable(
                name: "OutboxMessages");
        }
    }
}
