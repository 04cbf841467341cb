using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CredentialPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class IntrospectionAudiences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "IntrospectionAudiences",
                table: "Applications",
                type: "text[]",
                maxLength: 2000,
                nullable: false,
                // Existing applications get an empty list: their resource servers keep the partner APIs' audiences.
                // The default only fills them: the model has none, so it goes again.
                defaultValueSql: "ARRAY[]::text[]");
            migrationBuilder.Sql("""ALTER TABLE "Applications" ALTER COLUMN "IntrospectionAudiences" DROP DEFAULT;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IntrospectionAudiences",
                table: "Applications");
        }
    }
}
