using System.Data.Common;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// Proves that the migrations build exactly the schema the EF model describes: a database migrated
/// from empty is compared, table by table, column by column and index by index, with one created from the model.
/// </summary>
public sealed class MigrationSchemaTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
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
        Assert.Contains("index IX_ClientCredentials_ExpiresAt on ClientCredentials (ExpiresAt)", migratedSchema);
        Assert.Contains("unique index IX_Applications_ClientId on Applications (ClientId)", migratedSchema);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
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

    /// <summary>A connection string per provider that no test opens: for what needs the provider, not a server.</summary>
    public static TheoryData<DatabaseProvider, string> Unreachable => new()
    {
        { DatabaseProvider.Sqlite, "Data Source=unused.db" },
        { DatabaseProvider.PostgreSql, "Host=127.0.0.1;Port=1;Database=unused" },
        { DatabaseProvider.SqlServer, "Server=127.0.0.1,1;Database=unused;TrustServerCertificate=True" },
    };

    /// <summary>
    /// What <c>dotnet ef migrations has-pending-model-changes</c> checks, for every provider and without a server:
    /// each provider's migrations end in a snapshot equal to the model, and the migrations script can be generated.
    /// </summary>
    [Theory]
    [MemberData(nameof(Unreachable))]
    public void Every_provider_has_migrations_up_to_date_with_the_model(DatabaseProvider provider, string connectionString)
    {
        using var db = StoreRegistration.CreateStandaloneContext(provider, connectionString);

        Assert.False(db.Database.HasPendingModelChanges(), $"The model changed since the last {provider} migration: run scripts/add-migration.sh.");
        Assert.NotEmpty(db.Database.GetMigrations());
        var script = db.GetService<IMigrator>().GenerateScript();
        Assert.Contains("AspNetUserPasskeys", script, StringComparison.Ordinal);
        Assert.Contains("ClientCredentials", script, StringComparison.Ordinal);
    }

    /// <summary>
    /// The app loads each provider's compiled model (scripts/compile-models.sh) instead of building the model from the
    /// code: a model change without a regenerated compiled model would run on the old schema. test.sh also compares the
    /// generated files; this checks what a developer's test run can, the schema both describe.
    /// </summary>
    [Theory]
    [MemberData(nameof(Unreachable))]
    public void Every_provider_runs_a_compiled_model_equal_to_the_code(DatabaseProvider provider, string connectionString)
    {
        using var compiled = StoreRegistration.CreateStandaloneContext(provider, connectionString);
        using var fromCode = StoreRegistration.CreateStandaloneContext(provider, connectionString, compiledModel: false);

        Assert.IsAssignableFrom<RuntimeModel>(compiled.Model);
        Assert.NotSame(compiled.Model, fromCode.Model);
        Assert.Equal(Describe(fromCode.Model), Describe(compiled.Model));
    }

    /// <summary>
    /// A model as sorted lines: every table's columns, indexes and foreign keys, and every property's type, converter,
    /// length and save behaviour (EF's model differ reads design-time metadata a compiled model does not keep).
    /// </summary>
    private static List<string> Describe(IModel model)
    {
        var tables = model.GetRelationalModel().Tables.SelectMany(t =>
            t.Columns.Select(c => $"{t.Name}.{c.Name} {c.StoreType} {(c.IsNullable ? "null" : "not null")} {c.DefaultValue}")
                .Concat(t.Indexes.Select(i => $"{t.Name} {(i.IsUnique ? "unique " : "")}index {i.Name} ({string.Join(", ", i.Columns.Select(c => c.Name))})"))
                .Concat(t.ForeignKeyConstraints.Select(f => $"{t.Name} foreign key {f.Name} to {f.PrincipalTable.Name} {f.OnDeleteAction}")));
        var properties = model.GetEntityTypes().SelectMany(e => e.GetProperties().Select(p =>
            $"{e.Name}.{p.Name} {p.ClrType.Name} {p.GetTypeMapping().Converter?.GetType().Name} {p.GetMaxLength()} " +
            $"{p.IsConcurrencyToken} {p.GetAfterSaveBehavior()} {p.ValueGenerated}"));
        return tables.Concat(properties).Order(StringComparer.Ordinal).ToList();
    }

    private static CredentialPortalDbContext CreateContext(TestDatabase database) =>
        StoreRegistration.CreateStandaloneContext(database.Provider, database.ConnectionString);

    /// <summary>One sorted line per table, column, index and foreign key, read from the database catalogue.</summary>
    private static async Task<List<string>> DescribeAsync(TestDatabase database)
    {
        await using var db = CreateContext(database);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var lines = database.Provider switch
        {
            DatabaseProvider.Sqlite => await DescribeSqliteAsync(connection),
            DatabaseProvider.PostgreSql => await DescribePostgresAsync(connection),
            _ => await DescribeSqlServerAsync(connection),
        };
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

    private static async Task<List<string>> DescribeSqlServerAsync(DbConnection connection)
    {
        var lines = new List<string>();
        lines.AddRange((await QueryAsync(connection,
                "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'dbo' AND TABLE_TYPE = 'BASE TABLE'"))
            .Select(t => $"table {t[0]}"));
        lines.AddRange((await QueryAsync(connection, """
                SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, coalesce(cast(CHARACTER_MAXIMUM_LENGTH AS varchar(10)), ''), IS_NULLABLE
                FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'dbo'
                """))
            .Select(c => $"column {c[0]}.{c[1]} {c[2]}({c[3]}) nullable={c[4]}"));
        lines.AddRange((await QueryAsync(connection, """
                SELECT i.name, t.name, i.is_unique,
                       STRING_AGG(c.name, ', ') WITHIN GROUP (ORDER BY ic.key_ordinal)
                FROM sys.indexes i
                JOIN sys.tables t ON t.object_id = i.object_id
                JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
                JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
                WHERE i.is_primary_key = 0 AND i.type > 0
                GROUP BY i.name, t.name, i.is_unique
                """))
            .Select(i => $"{(i[2] == "True" ? "unique index" : "index")} {i[0]} on {i[1]} ({i[3]})"));
        lines.AddRange((await QueryAsync(connection, """
                SELECT fk.name, OBJECT_NAME(fk.parent_object_id), OBJECT_NAME(fk.referenced_object_id), fk.delete_referential_action_desc
                FROM sys.foreign_keys fk
                """))
            .Select(f => $"foreign key {f[1]}.{f[0]} -> {f[2]} on delete {f[3]}"));
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
