using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class CredentialIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientSecrets_ApplicationId_DisabledAt_ExpiresAt",
                table: "ClientSecrets");

            migrationBuilder.CreateIndex(
                name: "IX_ClientSecrets_ApplicationId_Kind_DisabledAt_ExpiresAt",
                table: "ClientSecrets",
                columns: new[] { "ApplicationId", "Kind", "DisabledAt", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ClientSecrets_Kind_DisabledAt_ExpiresAt_ApplicationId",
                table: "ClientSecrets",
                columns: new[] { "Kind", "DisabledAt", "ExpiresAt", "ApplicationId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientSecrets_ApplicationId_Kind_DisabledAt_ExpiresAt",
                table: "ClientSecrets");

            migrationBuilder.DropIndex(
                name: "IX_ClientSecrets_Kind_DisabledAt_ExpiresAt_ApplicationId",
                table: "ClientSecrets");

            migrationBuilder.CreateIndex(
                name: "IX_ClientSecrets_ApplicationId_DisabledAt_ExpiresAt",
                table: "ClientSecrets",
                columns: new[] { "ApplicationId", "DisabledAt", "ExpiresAt" });
        }
    }
}
