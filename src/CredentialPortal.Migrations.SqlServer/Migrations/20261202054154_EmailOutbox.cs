using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class EmailOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OutboxEmails",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Kind = table.Column<int>(type: "int", nullable: false),
                    IdentityKey = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Recipients = table.Column<string>(type: "nvarchar(max)", maxLength: 16000, nullable: false),
                    Subject = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: false),
                    TextBody = table.Column<string>(type: "nvarchar(max)", maxLength: 32000, nullable: false),
                    HtmlBody = table.Column<string>(type: "nvarchar(max)", maxLength: 32000, nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Attempts = table.Column<int>(type: "int", nullable: false),
                    NextAttemptAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ClaimedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "datetime2", nullable: true),
                    SentAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    LastError = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    OrganisationId = table.Column<int>(type: "int", nullable: true),
                    ApplicationId = table.Column<int>(type: "int", nullable: true),
                    SecretId = table.Column<int>(type: "int", nullable: true)
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

            // Reminders already sent (or failed for good) keep their slot claimed: each becomes a bodiless outbox row
            // with the same identity key, so the upgrade sends no reminder twice. Pending ones are claimed anew.
            migrationBuilder.Sql(@"INSERT INTO [OutboxEmails] ([Kind], [IdentityKey], [Recipients], [Subject], [TextBody], [HtmlBody], [Status], [CreatedAt], [Attempts], [NextAttemptAt], [SentAt], [LastError], [SecretId]) SELECT 4, CONCAT(N'reminder/', [SecretId], N'/', [Slot]), N'', N'', N'', N'', [Status], [CreatedAt], [Attempts], [NextAttemptAt], [SentAt], [LastError], [SecretId] FROM [ReminderDeliveries] WHERE [Status] IN (1, 2);");

            migrationBuilder.DropTable(
                name: "ReminderDeliveries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OutboxEmails");

            migrationBuilder.CreateTable(
                name: "ReminderDeliveries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Attempts = table.Column<int>(type: "int", nullable: false),
                    ClaimedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "datetime2", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    LastError = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    NextAttemptAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    SecretId = table.Column<int>(type: "int", nullable: false),
                    SentAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    Slot = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReminderDeliveries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReminderDeliveries_ClientSecrets_SecretId",
                        column: x => x.SecretId,
                        principalTable: "ClientSecrets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ReminderDeliveries_SecretId_Slot",
                table: "ReminderDeliveries",
                columns: new[] { "SecretId", "Slot" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReminderDeliveries_Status_NextAttemptAt",
                table: "ReminderDeliveries",
                columns: new[] { "Status", "NextAttemptAt" });
        }
    }
}
