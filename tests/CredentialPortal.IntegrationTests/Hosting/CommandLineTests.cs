using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>The app as a newcomer runs it: real processes, real arguments, real exit codes.</summary>
public sealed partial class CommandLineTests : IAsyncLifetime
{
    private TestDatabase _scratch = null!;

    public async ValueTask InitializeAsync() => _scratch = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

    public ValueTask DisposeAsync() => _scratch.DisposeAsync();

    [Theory]
    [InlineData("--Database:Provider=Oracle", "Configuration error in Database:Provider: 'Oracle' is not a known provider; use Sqlite, PostgreSql or SqlServer.")]
    [InlineData("--Database:Provider=PostgreSql", "Configuration error in ConnectionStrings:CredentialPortal: a connection string is required when Database:Provider is PostgreSql.")]
    [InlineData("--ConnectionStrings:CredentialPortal=Flavour=vanilla", "Configuration error in ConnectionStrings:CredentialPortal: the connection string is malformed")]
    [InlineData("--Email:Smtp:Port=70000", "Configuration error in Email: Email:Smtp:Port must be between 1 and 65535.")]
    [InlineData("--Email:Smtp:Port=twenty-five", "Configuration error: Failed to convert configuration value 'twenty-five' at 'Email:Smtp:Port'")]
    [InlineData("--Email:Outbox:ClaimLease=00:00:10", "Configuration error in Email: Email:Outbox:ClaimLease (00:00:10) is shorter than Email:Smtp:TimeoutMilliseconds (30000 ms)")]
    [InlineData("--TokenService:RateLimit:Burst=0", "Configuration error in TokenService: TokenService:RateLimit:Burst must be between 1 and 1000000.")]
    [InlineData("--Portal:BaseUrl=not a url", "Configuration error in Portal:")]
    [InlineData("--TokenService:Issuer=ftp://credentials.example.org", "Configuration error in TokenService: TokenService:Issuer 'ftp://credentials.example.org' is not an http or https address")]
    [InlineData("--Retention:SentMessages=7.00:00:00", "Configuration error in Retention: Retention:SentMessages must be between 22.00:00:00 and 36500.00:00:00.")]
    [InlineData("--Retention:ExpiredCredentials=00:30:00", "Configuration error in Retention: Retention:ExpiredCredentials must be between 1.00:00:00 and 36500.00:00:00.")]
    [InlineData("--Proxy:KnownProxies:0=gateway", "Configuration error in Proxy: Proxy:KnownProxies: 'gateway' is not an IP address.")]
    [InlineData("--Proxy:KnownNetworks:0=10.0.0.0", "Configuration error in Proxy: Proxy:KnownNetworks: '10.0.0.0' is not a network in CIDR notation")]
    public async Task Bad_configuration_ends_with_one_line_naming_the_setting(string setting, string expected)
    {
        await using var app = AppProcess.Start(_scratch.Directory, setting);

        var exitCode = await app.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(78, exitCode);
        var lines = app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith(expected, Assert.Single(lines), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", app.StandardOutput + app.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_invalid_setting_is_reported_at_once_one_line_each()
    {
        await using var app = AppProcess.Start(_scratch.Directory, "--Email:Smtp:Port=70000", "--Email:Outbox:MaxAttempts=0",
            "--TokenService:ClientAssertion:MaxLifetimeSeconds=1", "--Reminders:BatchSize=0");

        Assert.Equal(78, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        var lines = app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal([
                "Configuration error in Email: Email:Outbox:MaxAttempts must be between 1 and 100.",
                "Configuration error in Email: Email:Smtp:Port must be between 1 and 65535.",
                "Configuration error in Reminders: Reminders:BatchSize must be between 1 and 10000.",
                "Configuration error in TokenService: TokenService:ClientAssertion:MaxLifetimeSeconds must be between 10 and 86400.",
            ], lines.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("   at ", app.StandardOutput + app.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_level_that_is_not_one_stops_the_start_naming_the_setting()
    {
        await using var app = AppProcess.Start(_scratch.Directory, "--Logging:SuccessfulTokenRequests=Loud");

        Assert.Equal(78, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Logging:SuccessfulTokenRequests", app.StandardError, StringComparison.Ordinal);
        Assert.Contains("'Loud' is not a log level", app.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_start_with_nothing_set_names_every_missing_setting_with_its_fix_at_once()
    {
        await using var app = AppProcess.Start(_scratch.Directory, new Dictionary<string, string?>
        {
            ["TokenService__Issuer"] = null, ["DataProtection__AllowUnprotectedKeys"] = null, ["Portal__BaseUrl"] = null,
        });

        Assert.Equal(78, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        var lines = app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("Configuration error in DataProtection:Certificate:Path: outside Development the key ring must be protected: set", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Configuration error in Portal: Portal:BaseUrl is required outside Development: set it to", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("Configuration error in TokenService: TokenService:Issuer is required outside Development: set it to", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", app.StandardOutput + app.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_production_start_needs_the_first_administrators_email()
    {
        await using var app = AppProcess.Start(_scratch.Directory, new Dictionary<string, string?> { ["Bootstrap__AdminEmail"] = null });

        Assert.Equal(78, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("Configuration error in Bootstrap:AdminEmail: the first start outside Development creates the first administrator",
            app.StandardError.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("admin@localhost", app.StandardOutput, StringComparison.Ordinal);
        // The migrations ran on the fresh database without EF's warning about SQLite's table rebuilds.
        Assert.DoesNotContain("PRAGMA foreign_keys", app.StandardOutput + app.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_a_missing_issuer_ends_with_one_line_naming_the_setting()
    {
        await using var app = AppProcess.Start(_scratch.Directory, new Dictionary<string, string?> { ["TokenService__Issuer"] = null });

        Assert.Equal(78, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("Configuration error in TokenService: TokenService:Issuer is required outside Development",
            app.StandardError.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_postgresql_ends_with_one_line_naming_the_setting()
    {
        await using var app = AppProcess.Start(_scratch.Directory, "--Database:Provider=PostgreSql",
            "--ConnectionStrings:CredentialPortal=Host=127.0.0.1;Port=1;Database=nowhere;Timeout=3");

        var exitCode = await app.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(78, exitCode);
        Assert.StartsWith("Configuration error in ConnectionStrings:CredentialPortal: cannot reach the database",
            app.StandardError.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", app.StandardOutput + app.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_prints_the_usage()
    {
        await using var app = AppProcess.Start(_scratch.Directory, "migrat");

        Assert.Equal(64, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.Contains("unknown command 'migrat'", app.StandardError, StringComparison.Ordinal);
        Assert.Contains("usage:", app.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_creates_the_schema_and_exits()
    {
        await using var app = AppProcess.Start(_scratch.Directory, "migrate");

        Assert.Equal(0, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Migrations applied.", app.StandardOutput, StringComparison.Ordinal);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_scratch.Directory, "credentialportal.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM \"__EFMigrationsHistory\"";
        await using var model = StoreRegistration.CreateStandaloneContext(DatabaseProvider.Sqlite, connection.ConnectionString);
        Assert.Equal((long)model.Database.GetMigrations().Count(), await command.ExecuteScalarAsync());
    }

    /// <summary>No SQL Server runs here; the script is made from the model alone, without a connection.</summary>
    [Theory]
    [InlineData("SqlServer", "Server=127.0.0.1,1;Database=nowhere;TrustServerCertificate=True", "CREATE TABLE [AspNetUserPasskeys]")]
    [InlineData("PostgreSql", "Host=127.0.0.1;Port=1;Database=nowhere", "CREATE TABLE \"AspNetUserPasskeys\"")]
    [InlineData("Sqlite", "", "CREATE TABLE \"AspNetUserPasskeys\"")]
    public async Task Schema_script_prints_the_schema_for_each_provider(string provider, string connectionString, string expected)
    {
        await using var app = AppProcess.Start(_scratch.Directory, "schema-script", $"--Database:Provider={provider}",
            $"--ConnectionStrings:CredentialPortal={connectionString}");

        Assert.Equal(0, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.Contains(expected, app.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ClientCredentials", app.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_demo_prints_the_administrator_and_one_working_credential_per_demo_application()
    {
        await using var app = AppProcess.Start(_scratch.Directory, "--seed-demo");

        await app.WaitForOutputAsync("application=PartnerAlternative-NL-DemoOrg-SMC", TestContext.Current.CancellationToken);

        var output = app.StandardOutput;
        Assert.Matches(@"password:\s+\S{20}\s+\(generated; shown only this once\)", output);
        var credentials = DemoCredential().Matches(output);
        Assert.Equal(["Partner-NL-DemoOrg-DM", "PartnerAlternative-NL-DemoOrg-SMC"], credentials.Select(m => m.Groups["name"].Value));
        Assert.All(credentials, m => Assert.True(Core.Credentials.SecretFormat.ChecksumMatches(m.Groups["secret"].Value)));
    }

    [Fact]
    public async Task A_stop_asked_for_while_starting_ends_quietly_with_success()
    {
        await using var app = AppProcess.Start(_scratch.Directory, "--seed-demo");
        // A fresh database: the migrations take a while, and the stop arrives in the middle of them.
        await app.WaitForOutputAsync("Applying migrations", TestContext.Current.CancellationToken);

        using (var kill = Process.Start("kill", ["-TERM", app.ProcessId.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var exitCode = await app.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{app.StandardOutput}\n{app.StandardError}");
        Assert.DoesNotContain("FTL", app.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", app.StandardOutput + app.StandardError, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^demo credential: application=(?<name>\S+) client_id=(?<id>[0-9a-f-]{36}) client_secret=(?<secret>\S+)$", RegexOptions.Multiline)]
    private static partial Regex DemoCredential();
}
