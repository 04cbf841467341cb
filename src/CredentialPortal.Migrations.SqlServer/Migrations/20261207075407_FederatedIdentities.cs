using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
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
                type: "nvarchar(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Claims",
                table: "ClientCredentials",
                type: "nvarchar(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Issuer",
                table: "ClientCredentials",
                type: "nvarchar(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "ClientCredentials",
                type: "nvarchar(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AllowedCredentialKinds",
                table: "Applications",
                type: "int",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "TrustedIssuers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Issuer = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: false),
                    AddedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    AddedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false)
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
