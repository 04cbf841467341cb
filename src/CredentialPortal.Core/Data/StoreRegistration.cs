using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.DataProtection;
using CredentialPortal.Core.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Retention;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Core.Credentials;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CredentialPortal.Core.Data;

public static class StoreRegistration
{
    public const string SqliteMigrationsAssembly = "CredentialPortal.Migrations.Sqlite";
    public const string PostgreSqlMigrationsAssembly = "CredentialPortal.Migrations.PostgreSql";
    public const string SqlServerMigrationsAssembly = "CredentialPortal.Migrations.SqlServer";

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
        AddDbContext(builder.Services, database.Provider, connectionString);
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<SecretManagement>();
        builder.Services.AddScoped<CredentialLifecycle>();
        builder.Services.AddScoped<CredentialNotification>();
        builder.Services.AddScoped<KeyManagement>();
        builder.Services.AddScoped<FederatedIdentityManagement>();
        builder.Services.AddScoped<TrustedIssuerManagement>();
        builder.Services.AddSingleton<TrustedIssuerList>();
        builder.Services.AddValidatedOptions<FederationOptions, FederationOptionsValidator>(FederationOptions.SectionName);
        builder.Services.AddScoped<SecretLeaks>();
        builder.Services.AddValidatedOptions<SecretOptions, SecretOptionsValidator>(SecretOptions.SectionName);
        builder.Services.AddValidatedOptions<SecretScanningOptions, SecretScanningOptionsValidator>(SecretScanningOptions.SectionName);
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddHostedService<MigrateOnStartup>();
        builder.Services.AddValidatedOptions<RetentionOptions, RetentionOptionsValidator>(RetentionOptions.SectionName);
        builder.Services.AddSingleton<ExpiredCredentialCleanup>();
        builder.Services.AddHostedService<RetentionPass>();
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            builder.Services.AddHostedService<SqliteStatistics>();
            builder.Services.AddSingleton<SqliteBackup>();
        }

        // One key ring in the database: cookies, antiforgery tokens and protected signing keys made by one
        // instance are readable by every other instance; encrypted with a certificate where one is configured.
        builder.Services.AddDataProtection().SetApplicationName("CredentialPortal").ProtectKeyRing(builder);
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IServiceScopeFactory>((options, scopes) => options.XmlRepository = new DatabaseXmlRepository(scopes));

        builder.Services.AddValidatedOptions<PortalOptions, PortalOptionsValidator>(PortalOptions.SectionName)
            .PostConfigure(o => o.IsDevelopment = builder.Environment.IsDevelopment());
        builder.AddEmail(dataDirectory);
        builder.Services.AddWebhooks();
        return builder;
    }

    /// <summary>
    /// The context factory (and the scoped context) on one provider, with the Identity schema version the model is
    /// built in: Identity reads it from <see cref="IdentityOptions"/> in the context's service provider, so every
    /// service provider that makes contexts — the app's, a benchmark's, <c>dotnet ef</c>'s — must say the same.
    /// </summary>
    /// <remarks>
    /// <paramref name="compiledModel"/> false builds the model from <see cref="CredentialPortalDbContext"/>'s code
    /// instead of loading the provider's compiled model: what the check that the compiled models are current compares.
    /// </remarks>
    public static IServiceCollection AddDbContext(IServiceCollection services, DatabaseProvider provider, string connectionString,
        bool compiledModel = true)
    {
        services.Configure<IdentityOptions>(options => options.Stores.SchemaVersion = IdentitySchemaVersions.Version3);
        services.TryAddSingleton<OutboxWakeUp>();
        return services.AddDbContextFactory<CredentialPortalDbContext>((provided, options) =>
        {
            Configure(options, provider, connectionString, compiledModel);
            options.AddInterceptors(provided.GetRequiredService<OutboxWakeUp>());
        });
    }

    /// <summary>A context outside any host (design time, schema tests), with the same model as the app's.</summary>
    public static CredentialPortalDbContext CreateStandaloneContext(DatabaseProvider provider, string connectionString,
        bool compiledModel = true)
    {
        var services = AddDbContext(new ServiceCollection(), provider, connectionString, compiledModel).BuildServiceProvider();
        return services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>().CreateDbContext();
    }

    /// <summary>Applies the provider, its migrations assembly, its compiled model and our conventions to a context's options.</summary>
    public static void Configure(DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString,
        bool compiledModel = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var migrationsAssembly = MigrationsAssemblyOf(provider);
        // Split queries: an application loaded with its permissions, secrets and managers must not multiply rows.
        _ = provider switch
        {
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o.MigrationsAssembly(migrationsAssembly).UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery))
                .AddInterceptors(SqliteConnectionPragmas.Instance)
                // SQLite changes a column by rebuilding its table with foreign keys off, a pragma that cannot run in a
                // transaction: EF warns about it for every such migration, on every fresh database, and an operator
                // can do nothing about it. The rebuild itself stays in the migration's transaction.
                .ConfigureWarnings(w => w.Log((RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug))),
            DatabaseProvider.PostgreSql => options.UseNpgsql(connectionString, o => o.MigrationsAssembly(migrationsAssembly).UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)),
            DatabaseProvider.SqlServer => options.UseSqlServer(connectionString, o => o.MigrationsAssembly(migrationsAssembly).UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };

        // Building the model from OnModelCreating costs every start about half a second; each provider's migrations
        // assembly carries it pre-built (scripts/compile-models.sh). dotnet ef always builds it from the code: a new
        // migration or a regenerated compiled model must describe the code, not the last compiled model.
        if (compiledModel && !EF.IsDesignTime)
        {
            options.UseModel(CompiledModels.GetOrAdd(provider, LoadCompiledModel));
            // Before applying migrations EF compares the model with the last migration's snapshot, which it builds
            // from code: 0.6 s of every fresh install and upgrade. Against a compiled model the comparison proves only
            // what test.sh proves before anything ships (has-pending-model-changes, compile-models.sh --check).
            options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        }
    }

    private static readonly ConcurrentDictionary<DatabaseProvider, IModel> CompiledModels = new();

    /// <summary>The assembly holding a provider's migrations and its compiled model.</summary>
    private static string MigrationsAssemblyOf(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => SqliteMigrationsAssembly,
        DatabaseProvider.PostgreSql => PostgreSqlMigrationsAssembly,
        DatabaseProvider.SqlServer => SqlServerMigrationsAssembly,
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    private static IModel LoadCompiledModel(DatabaseProvider provider)
    {
        // The attribute dotnet ef dbcontext optimize writes beside the model names it; its Instance is the model.
        var modelType = Assembly.Load(MigrationsAssemblyOf(provider)).GetCustomAttributes<DbContextModelAttribute>()
            .Single(a => a.ContextType == typeof(CredentialPortalDbContext)).ModelType;
        return (IModel)modelType.GetProperty("Instance", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
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
                    $"'{provider}' is not a known provider; use Sqlite, PostgreSql or SqlServer.");
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
                case DatabaseProvider.PostgreSql or DatabaseProvider.SqlServer when string.IsNullOrWhiteSpace(configured):
                    throw new ConfigurationException(setting, $"a connection string is required when Database:Provider is {database.Provider}.");
                case DatabaseProvider.SqlServer:
                    var sqlServer = new SqlConnectionStringBuilder(configured);
                    if (string.IsNullOrWhiteSpace(sqlServer.DataSource))
                    {
                        throw new ConfigurationException(setting, "the SQL Server connection string names no Server.");
                    }

                    return sqlServer.ToString();
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
