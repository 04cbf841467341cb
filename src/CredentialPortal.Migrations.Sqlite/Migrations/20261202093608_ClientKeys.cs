using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ClientKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<byte[]>(
                name: "Hash",
                table: "ClientSecrets",
                type: "BLOB",
                maxLength: 32,
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "BLOB",
                oldMaxLength: 32);

            migrationBuilder.AddColumn<DateTime>(
                name: "CertificateNotAfter",
                table: "ClientSecrets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "KeyDescription",
                table: "ClientSecrets",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Kind",
                table: "ClientSecrets",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "PublicJwk",
                table: "ClientSecrets",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AuthenticationPolicy",
                table: "Applications",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ClientAssertionUses",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 43, nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
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

            migrationBuilder.AlterColumn<byte[]>(
                name: "Hash",
                table: "ClientSecrets",
                type: "BLOB",
                maxLength: 32,
                nullable: false,
                defaultValue: new byte[0],
                oldClrType: typeof(byte[]),
                oldType: "BLOB",
                oldMaxLength: 32,
                oldNullable: true);
        }
    }
}
