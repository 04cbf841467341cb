using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ClientKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Hint",
                table: "ClientSecrets",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(3)",
                oldMaxLength: 3);

            migrationBuilder.AlterColumn<byte[]>(
                name: "Hash",
                table: "ClientSecrets",
                type: "varbinary(32)",
                maxLength: 32,
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "varbinary(32)",
                oldMaxLength: 32);

            migrationBuilder.AddColumn<DateTime>(
                name: "CertificateNotAfter",
                table: "ClientSecrets",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "KeyDescription",
                table: "ClientSecrets",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Kind",
                table: "ClientSecrets",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "PublicJwk",
                table: "ClientSecrets",
                type: "nvarchar(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AuthenticationPolicy",
                table: "Applications",
                type: "int",
                nullable: false,
                defaultValue: 0);

            // The default only fills existing rows (0: a secret; secrets and keys); the model has none, and the schema must equal the model's.
            migrationBuilder.AlterColumn<int>(
                name: "Kind",
                table: "ClientSecrets",
                type: "int",
                nullable: false,
                oldClrType: typeof(int),
                oldType: "int",
                oldDefaultValue: 0);

            // The default only fills existing rows (0: a secret; secrets and keys); the model has none, and the schema must equal the model's.
            migrationBuilder.AlterColumn<int>(
                name: "AuthenticationPolicy",
                table: "Applications",
                type: "int",
                nullable: false,
                oldClrType: typeof(int),
                oldType: "int",
                oldDefaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ClientAssertionUses",
                columns: table => new
                {
                    Id = table.Column<string>(type: "nvarchar(43)", maxLength: 43, nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClientAssertionUses", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ClientAssertionUses_ExpiresAt",
                table: "ClientAssertionUses",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ClientAssertionUses");

            migrationBuilder.DropColumn(
                name: "CertificateNotAfter",
                table: "ClientSecrets");

            migrationBuilder.DropColumn(
                name: "KeyDescription",
                table: "ClientSecrets");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "ClientSecrets");

            migrationBuilder.DropColumn(
                name: "PublicJwk",
                table: "ClientSecrets");

            migrationBuilder.DropColumn(
                name: "AuthenticationPolicy",
                table: "Applications");

            migrationBuilder.AlterColumn<string>(
                name: "Hint",
                table: "ClientSecrets",
                type: "nvarchar(3)",
                maxLength: 3,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<byte[]>(
                name: "Hash",
                table: "ClientSecrets",
                type: "varbinary(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: new byte[0],
                oldClrType: typeof(byte[]),
                oldType: "varbinary(32)",
                oldMaxLength: 32,
                oldNullable: true);
        }
    }
}
