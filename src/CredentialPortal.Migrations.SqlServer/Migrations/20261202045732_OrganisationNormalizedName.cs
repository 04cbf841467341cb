using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
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
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            // Existing organisations get their key before the unique index needs it (the app keeps it up to date).
            migrationBuilder.Sql("UPDATE [Organisations] SET [NormalizedName] = UPPER([Name])");

            // The default only filled existing rows; the model has none.
            migrationBuilder.AlterColumn<string>(
                name: "NormalizedName",
                table: "Organisations",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(100)",
                oldMaxLength: 100,
                oldDefaultValue: "");

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
