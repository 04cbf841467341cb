using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CredentialPortal.Migrations.PostgreSql.Migrations
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
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Claims",
                table: "ClientCredentials",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Issuer",
                table: "ClientCredentials",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "ClientCredentials",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AllowedCredentialKinds",
                table: "Applications",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "TrustedIssuers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Issuer = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    AddedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    AddedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
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
