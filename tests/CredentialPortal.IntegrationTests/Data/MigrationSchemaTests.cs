using System.Data.Common;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// Proves that the hand-written migrations build exactly the schema the EF model describes: a database migrated
/// from empty is compared, table by table, column by column and index by index, with one created from the model.
/// </summary>
public sealed class MigrationSchemaTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Migrations_build_the_schema_of_the_model(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var migrated = await TestDatabase.CreateAsync(provider);
        await using var fromModel = await TestDatabase.CreateAsync(provider);

        await using (var db = CreateContext(migrated))
        {
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync());
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        await using (var db = CreateContext(fromModel))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var migratedSchema = await DescribeAsync(migrated);
        var modelSchema = await DescribeAsync(fromModel);

        Assert.Equal(modelSchema, migratedSchema);
        await using var context = CreateContext(migrated);
        var modelTables = context.Model.GetRelationalModel().Tables.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(modelTables, migratedSchema.Where(l => l.StartsWith("table ", StringComparison.Ordinal)).Select(l => l[6..]).ToList());
        Assert.Contains("index IX_ClientSecrets_ExpiresAt on ClientSecrets (ExpiresAt)", migratedSchema);
        Assert.Contains("unique index IX_Applications_ClientId on Applications (ClientId)", migratedSchema);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Migrating_twice_changes_nothing(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = CreateContext(database);

        await db.Database.MigrateAsync();
        var before = await DescribeAsync(database);
        await db.Database.MigrateAsync();

        Assert.Equal(before, await DescribeAsync(database));
    }

    private static CredentialPortalDbContext CreateContext(TestDatabase database)
    {
        var options = new DbContextOptionsBuilder<CredentialPortalDbContext>();
        StoreRegistration.Configure(options, database.Provider, database.ConnectionString);
        return new CredentialPortalDbContext(options.Options);
    }

    /// <summary>One sorted line per table, column, index and foreign key, read from the database catalogue.</summary>
    private static async Task<List<string>> DescribeAsync(TestDatabase database)
    {
        await using var db = CreateContext(database);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var lines = database.Provider == DatabaseProvider.Sqlite
            ? await DescribeSqliteAsync(connection)
            : await DescribePostgresAsync(connection);
        return lines.Where(l => !l.Contains("__EFMigrations", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<List<string>> DescribeSqliteAsync(DbConnection connection)
    {
        var lines = new List<string>();
        var tables = await QueryAsync(connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        foreach (var table in tables.Select(t => t[0]))
        {
            lines.Add($"table {table}");
            lines.AddRange((await QueryAsync(connection, $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"))
                .Select(c => $"column {table}.{c[0]} {c[1]} notnull={c[2]} pk={c[3]}"));
            foreach (var index in await QueryAsync(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{table}') WHERE origin = 'c'"))
            {
                var columns = (await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{index[0]}') ORDER BY seqno")).Select(c => c[0]);
                lines.Add($"{(index[1] == "1" ? "unique index" : "index")} {index[0]} on {table} ({string.Join(", ", columns)})");
            }

            lines.AddRange((await QueryAsync(connection, $"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}')"))
                .Select(f => $"foreign key {table}.{f[1]} -> {f[0]}.{f[2]} on delete {f[3]}"));
        }

        return lines;
    }

    private static async Task<List<string>> DescribePostgresAsync(DbConnection connection)
    {
        var lines = new List<string>();
        lines.AddRange((await QueryAsync(connection,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"))
            .Select(t => $"table {t[0]}"));
        lines.AddRange((await QueryAsync(connection, """
                SELECT table_name, column_name, data_type, coalesce(character_maximum_length::text, ''), is_nullable, coalesce(column_default, '')
                FROM information_schema.columns WHERE table_schema = 'public'
                """))
            .Select(c => $"column {c[0]}.{c[1]} {c[2]}({c[3]}) nullable={c[4]} default={c[5]}"));
        lines.AddRange((await QueryAsync(connection, """
                SELECT i.relname, t.relname, ix.indisunique,
                       (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
                        FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
                        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
                FROM pg_index ix
                JOIN pg_class i ON i.oid = ix.indexrelid
                JOIN pg_class t ON t.oid = ix.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = 'public' AND NOT ix.indisprimary
                """))
            .Select(i => $"{(i[2] == "True" ? "unique index" : "index")} {i[0]} on {i[1]} ({i[3]})"));
        lines.AddRange((await QueryAsync(connection, """
                SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'p', 'u')
                """))
            .Select(c => $"constraint {c[1]}.{c[0]} {c[2]}"));
        return lines;
    }

    private static async Task<List<string[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[i] = Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }

            rows.Add(row);
        }

        return rows;
    }
}
