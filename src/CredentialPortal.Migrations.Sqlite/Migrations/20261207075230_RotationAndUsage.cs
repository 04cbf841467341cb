using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RotationAndUsage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ReplacedById",
                table: "ClientCredentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RetireSecondsAfterReplacementUse",
                table: "ClientCredentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "UsageCounts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ApplicationId = table.Column<int>(type: "INTEGER", nullable: false),
                    CredentialId = table.Column<int>(type: "INTEGER", nullable: false),
                    FailureReason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageCounts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ClientCredentials_ReplacedById",
                table: "ClientCredentials",
                column: "ReplacedById");

            migrationBuilder.CreateIndex(
                name: "IX_UsageCounts_ApplicationId_Day_CredentialId_FailureReason",
                table: "UsageCounts",
                columns: new[] { "ApplicationId", "Day", "CredentialId", "FailureReason" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_UsageCounts_Day",
                table: "UsageCounts",
                column: "Day");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsageCounts");

            migrationBuilder.DropIndex(
                name: "IX_ClientCredentials_ReplacedById",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "ReplacedById",
                table: "ClientCredentials");

            migrationBuilder.DropColumn(
                name: "RetireSecondsAfterReplacementUse",
                table: "ClientCredentials");
        }
    }
}
