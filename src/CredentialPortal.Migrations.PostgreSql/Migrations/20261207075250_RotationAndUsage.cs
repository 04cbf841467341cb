using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CredentialPortal.Migrations.PostgreSql.Migrations
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
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RetireSecondsAfterReplacementUse",
                table: "ClientCredentials",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "UsageCounts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    ApplicationId = table.Column<int>(type: "integer", nullable: false),
                    CredentialId = table.Column<int>(type: "integer", nullable: false),
                    FailureReason = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false)
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
