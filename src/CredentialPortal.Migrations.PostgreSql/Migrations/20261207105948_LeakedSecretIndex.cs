using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class LeakedSecretIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ClientCredentials_Kind_LeakedAt",
                table: "ClientCredentials",
                columns: new[] { "Kind", "LeakedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientCredentials_Kind_LeakedAt",
                table: "ClientCredentials");
        }
    }
}
