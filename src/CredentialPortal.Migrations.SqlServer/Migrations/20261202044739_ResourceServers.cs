using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ResourceServers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsResourceServer",
                table: "Applications",
                type: "bit",
                nullable: false,
                defaultValue: false);

            // The default only fills existing rows; the model has none, and the schema must equal the model's.
            migrationBuilder.AlterColumn<bool>(
                name: "IsResourceServer",
                table: "Applications",
                type: "bit",
                nullable: false,
                oldClrType: typeof(bool),
                oldType: "bit",
                oldDefaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IsResourceServer",
                table: "Applications");
        }
    }
}
