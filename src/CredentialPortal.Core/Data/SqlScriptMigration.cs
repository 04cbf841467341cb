using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.Core.Data;

/// <summary>
/// A versioned migration whose SQL is an embedded <c>.sql</c> file named like the migration class. EF Core's
/// design-time package does not restore here, so migrations are SQL per provider, applied by EF's migrator
/// (history table and migration lock included); a test proves the migrated schema equals the model.
/// </summary>
public abstract class SqlScriptMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var type = GetType();
        var resourceName = $"{type.Namespace}.{type.Name}.sql";
        using var stream = type.Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Migration script {resourceName} is not embedded in {type.Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        migrationBuilder.Sql(reader.ReadToEnd());
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        throw new NotSupportedException("Migrations only go forward; restore a backup to go back.");
}
