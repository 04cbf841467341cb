using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SecretLeaks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LeakLocation",
                table: "ClientCredentials",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LeakedAt",
                table: "ClientCredentials",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ClientCredentials_Hash",
                table: "ClientCredentials",
                column: "Hash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientCredentials_Hash",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "LeakLocation",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "LeakedAt",
                table: "ClientCredentials");
        }
    }
}
