using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OrganisationNormalizedName : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "NormalizedName",
                table: "Organisations",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            // Existing organisations get their key before the unique index needs it (the app keeps it up to date).
            migrationBuilder.Sql("UPDATE \"Organisations\" SET \"NormalizedName\" = UPPER(\"Name\")");

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_NormalizedName",
                table: "Organisations",
                column: "NormalizedName",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Organisations_NormalizedName",
                table: "Organisations");

            migrationBuilder.DropColumn(
                name: "NormalizedName",
                table: "Organisations");
        }
    }
}
