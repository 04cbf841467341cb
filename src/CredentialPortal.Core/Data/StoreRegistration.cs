using System.Data.Common;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.DataProtection;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Core.Users;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CredentialPortal.Core.Data;

public static class StoreRegistration
{
    public const string SqliteMigrationsAssembly = "CredentialPortal.Migrations.Sqlite";
    public const string PostgreSqlMigrationsAssembly = "CredentialPortal.Migrations.PostgreSql";

    /// <summary>
    /// Registers the DbContext on the configured provider, the audit log, the email sender, the portal settings and
    /// the secret-management service every part shares.
    /// Throws <see cref="ConfigurationException"/> for an unknown provider or a malformed connection string.
    /// </summary>
    public static IHostApplicationBuilder AddCredentialPortalStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var database = ReadDatabaseOptions(builder.Configuration);
        var dataDirectory = Path.Combine(builder.Environment.ContentRootPath, database.DataDirectory);
        var connectionString = ResolveConnectionString(builder.Configuration, database, dataDirectory);

        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDbContextFactory<CredentialPortalDbContext>(options => Configure(options, database.Provider, connectionString));
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<SecretManagement>();
        builder.Services.AddScoped<UserStore>();
        builder.Services.AddScoped<RoleStore>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddHostedService<MigrateOnStartup>();

        // One key ring in the database: cookies, antiforgery tokens and protected signing keys made by one
        // instance are readable by every other instance.
        builder.Services.AddDataProtection().SetApplicationName("CredentialPortal");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IServiceScopeFactory>((options, scopes) => options.XmlRepository = new DatabaseXmlRepository(scopes));

        builder.Services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.AddEmail(dataDirectory);
        return builder;
    }

    /// <summary>Applies the provider, its migrations assembly and our conventions to a context's options.</summary>
    public static void Configure(DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Split queries: an application loaded with its permissions, secrets and managers must not multiply rows.
        _ = provider switch
        {
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly).UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)),
            DatabaseProvider.PostgreSql => options.UseNpgsql(connectionString, o => o.MigrationsAssembly(PostgreSqlMigrationsAssembly).UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };

        // Migrations are SQL scripts without an EF model snapshot (see SqlScriptMigration), so EF cannot tell
        // whether the model moved on; MigrationSchemaTests compares the migrated schema with the model instead.
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    private static DatabaseOptions ReadDatabaseOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection(DatabaseOptions.SectionName);
        var provider = section["Provider"];
        var options = new DatabaseOptions();
        if (!string.IsNullOrWhiteSpace(provider))
        {
            if (!Enum.TryParse<DatabaseProvider>(provider, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                throw new ConfigurationException("Database:Provider",
                    $"'{provider}' is not a known provider; use Sqlite or PostgreSql.");
            }

            options.Provider = parsed;
        }

        options.DataDirectory = section["DataDirectory"] is { Length: > 0 } dir ? dir : options.DataDirectory;
        if (section["MigrateOnStartup"] is { Length: > 0 } migrate)
        {
            options.MigrateOnStartup = bool.TryParse(migrate, out var value) ? value
                : throw new ConfigurationException("Database:MigrateOnStartup", $"'{migrate}' is not true or false.");
        }

        return options;
    }

    private static string ResolveConnectionString(IConfiguration configuration, DatabaseOptions database, string dataDirectory)
    {
        const string setting = "ConnectionStrings:" + DatabaseOptions.ConnectionStringName;
        var configured = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        try
        {
            switch (database.Provider)
            {
                case DatabaseProvider.Sqlite when string.IsNullOrWhiteSpace(configured):
                    Directory.CreateDirectory(dataDirectory);
                    return new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "credentialportal.db") }.ToString();
                case DatabaseProvider.Sqlite:
                    var sqlite = new SqliteConnectionStringBuilder(configured);
                    if (Path.GetDirectoryName(Path.GetFullPath(sqlite.DataSource)) is { } folder && !sqlite.DataSource.StartsWith(':'))
                    {
                        Directory.CreateDirectory(folder);
                    }

                    return sqlite.ToString();
                case DatabaseProvider.PostgreSql when string.IsNullOrWhiteSpace(configured):
                    throw new ConfigurationException(setting, "a PostgreSQL connection string is required when Database:Provider is PostgreSql.");
                default:
                    var npgsql = new NpgsqlConnectionStringBuilder(configured);
                    if (string.IsNullOrWhiteSpace(npgsql.Host))
                    {
                        throw new ConfigurationException(setting, "the PostgreSQL connection string names no Host.");
                    }

                    return npgsql.ToString();
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or DbException)
        {
            throw new ConfigurationException(setting, $"the connection string is malformed ({ex.Message})", ex);
        }
    }
}
