using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
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
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LeakedAt",
                table: "ClientCredentials",
                type: "datetime2",
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
