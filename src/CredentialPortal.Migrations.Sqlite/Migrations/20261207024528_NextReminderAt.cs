using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class NextReminderAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The default, ClientCredential.FirstReminderCheck, fills the rows already there too: the first reminder pass
            // looks at each once and sets its next slot. It stays for the rows the previous release adds meanwhile.
            migrationBuilder.AddColumn<DateTime>(
                name: "NextReminderAt",
                table: "ClientCredentials",
                type: "TEXT",
                nullable: true,
                defaultValue: new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc));

            migrationBuilder.CreateIndex(
                name: "IX_ClientCredentials_NextReminderAt_ExpiresAt_Id",
                table: "ClientCredentials",
                columns: new[] { "NextReminderAt", "ExpiresAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientCredentials_NextReminderAt_ExpiresAt_Id",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "NextReminderAt",
                table: "ClientCredentials");
        }
    }
}
