using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class OperatorOrganisation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsOperator",
                table: "Organisations",
                type: "bit",
                nullable: false,
                defaultValue: false);

            // The organisations whose users already administer are the operator's: no administrator loses the role.
            migrationBuilder.Sql("""
                UPDATE [Organisations] SET [IsOperator] = 1 WHERE [Id] IN (
                    SELECT u.[OrganisationId] FROM [AspNetUsers] u
                    JOIN [AspNetUserRoles] ur ON ur.[UserId] = u.[Id]
                    JOIN [AspNetRoles] r ON r.[Id] = ur.[RoleId]
                    WHERE r.[NormalizedName] = N'ADMINISTRATOR')
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IsOperator",
                table: "Organisations");
        }
    }
}
