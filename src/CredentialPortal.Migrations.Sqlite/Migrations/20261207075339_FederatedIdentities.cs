using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class FederatedIdentities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Audience",
                table: "ClientCredentials",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Claims",
                table: "ClientCredentials",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Issuer",
                table: "ClientCredentials",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "ClientCredentials",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AllowedCredentialKinds",
                table: "Applications",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "TrustedIssuers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Issuer = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    AddedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AddedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrustedIssuers", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TrustedIssuers_Issuer",
                table: "TrustedIssuers",
                column: "Issuer",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TrustedIssuers");

            migrationBuilder.DropColumn(
                name: "Audience",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "Claims",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "Issuer",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "Subject",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "AllowedCredentialKinds",
                table: "Applications");
        }
    }
}
