using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class NextReminderAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "NextReminderAt",
                table: "ClientCredentials",
                type: "datetime2",
                nullable: true,
                defaultValue: new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc));

            // ClientCredential.FirstReminderCheck for the rows already there too, so that the first reminder pass looks at
            // each once and sets its next slot: SQL Server leaves them NULL when it adds a nullable column with a default.
            migrationBuilder.Sql("UPDATE [ClientCredentials] SET [NextReminderAt] = '1970-01-01T00:00:00' WHERE [NextReminderAt] IS NULL;");

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
