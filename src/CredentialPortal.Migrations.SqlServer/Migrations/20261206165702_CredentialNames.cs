using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
{
    /// <summary>
    /// Credentials named as what they are: the table ClientSecrets, which holds every kind of credential, becomes
    /// ClientCredentials, with its indexes and constraints; AuditEvents.SecretId becomes CredentialId and
    /// Applications.SecretLimit becomes CredentialLimit. Renames only, so every row is kept (EF Core proposed dropping the
    /// table and creating a new one). The primary and foreign keys are dropped and added again under the new table's names (no data moves).
    /// </summary>
    public partial class CredentialNames : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ClientSecrets_Applications_ApplicationId",
                table: "ClientSecrets");

            migrationBuilder.DropPrimaryKey(
                name: "PK_ClientSecrets",
                table: "ClientSecrets");

            migrationBuilder.RenameTable(
                name: "ClientSecrets",
                newName: "ClientCredentials");

            migrationBuilder.RenameIndex(
                name: "IX_ClientSecrets_ApplicationId_Kind_DisabledAt_ExpiresAt",
                table: "ClientCredentials",
                newName: "IX_ClientCredentials_ApplicationId_Kind_DisabledAt_ExpiresAt");

            migrationBuilder.RenameIndex(
                name: "IX_ClientSecrets_ExpiresAt",
                table: "ClientCredentials",
                newName: "IX_ClientCredentials_ExpiresAt");

            migrationBuilder.RenameIndex(
                name: "IX_ClientSecrets_Kind_DisabledAt_ExpiresAt_ApplicationId",
                table: "ClientCredentials",
                newName: "IX_ClientCredentials_Kind_DisabledAt_ExpiresAt_ApplicationId");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ClientCredentials",
                table: "ClientCredentials",
                column: "Id");

            migrationBuilder.AddForeignKey(
                name: "FK_ClientCredentials_Applications_ApplicationId",
                table: "ClientCredentials",
                column: "ApplicationId",
                principalTable: "Applications",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.RenameColumn(
                name: "SecretId",
                table: "AuditEvents",
                newName: "CredentialId");

            migrationBuilder.RenameColumn(
                name: "SecretLimit",
                table: "Applications",
                newName: "CredentialLimit");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ClientCredentials_Applications_ApplicationId",
                table: "ClientCredentials");

            migrationBuilder.DropPrimaryKey(
                name: "PK_ClientCredentials",
                table: "ClientCredentials");

            migrationBuilder.RenameTable(
                name: "ClientCredentials",
                newName: "ClientSecrets");

            migrationBuilder.RenameIndex(
                name: "IX_ClientCredentials_ApplicationId_Kind_DisabledAt_ExpiresAt",
                table: "ClientSecrets",
                newName: "IX_ClientSecrets_ApplicationId_Kind_DisabledAt_ExpiresAt");

            migrationBuilder.RenameIndex(
                name: "IX_ClientCredentials_ExpiresAt",
                table: "ClientSecrets",
                newName: "IX_ClientSecrets_ExpiresAt");

            migrationBuilder.RenameIndex(
                name: "IX_ClientCredentials_Kind_DisabledAt_ExpiresAt_ApplicationId",
                table: "ClientSecrets",
                newName: "IX_ClientSecrets_Kind_DisabledAt_ExpiresAt_ApplicationId");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ClientSecrets",
                table: "ClientSecrets",
                column: "Id");

            migrationBuilder.AddForeignKey(
                name: "FK_ClientSecrets_Applications_ApplicationId",
                table: "ClientSecrets",
                column: "ApplicationId",
                principalTable: "Applications",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.RenameColumn(
                name: "CredentialId",
                table: "AuditEvents",
                newName: "SecretId");

            migrationBuilder.RenameColumn(
                name: "CredentialLimit",
                table: "Applications",
                newName: "SecretLimit");
        }
    }
}
