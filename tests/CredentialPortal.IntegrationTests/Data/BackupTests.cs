using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using CredentialPortal.Core.Data;
using CredentialPortal.IntegrationTests.Hosting;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Npgsql;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;

namespace CredentialPortal.IntegrationTests.Data;

/// <summary>
/// A backup taken while the product runs restores into a product that works (issue 31, item 3): SQLite with the
/// product's own <c>backup</c> command (SQLite's online backup), PostgreSQL with pg_dump and pg_restore.
/// </summary>
public sealed class BackupTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task A_backup_taken_while_the_product_runs_restores_into_a_product_where_secrets_keys_and_users_work(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        var cancellation = TestContext.Current.CancellationToken;
        // No rate limit: the fake clock stands still while tokens are requested in a loop.
        var settings = new Dictionary<string, string?> { ["TokenService:RateLimit:PermitsPerSecond"] = "0" };
        await using var original = await PortalFactory.StartAsync(provider, settings);
        var application = await TokenServiceTestKit.CreateApplicationAsync(original);
        var (secret, _) = await TokenServiceTestKit.AddSecretAsync(original, application);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var storedKey = await AddKeyAsync(original, application, PublicPem(key));
        using (var administrator = new PortalClient(original))
        {
            await administrator.SignInAsAdministratorAsync();
        }

        // Tokens are issued (and "last used" written) while the backup runs.
        var backup = Path.Combine(original.Database.Directory, "backup");
        using var http = original.CreateClient();
        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var traffic = Task.Run(async () =>
        {
            var issued = 0;
            while (!stopTraffic.IsCancellationRequested)
            {
                await TokenClient.GetTokenAsync(http, application.ClientId, secret);
                issued++;
            }

            return issued;
        }, cancellation);
        await BackUpAsync(original, backup, cancellation);
        await stopTraffic.CancelAsync();
        Assert.True(await traffic > 0);
        // Committed after the backup: not in it.
        var (later, _) = await TokenServiceTestKit.AddSecretAsync(original, application);

        var restoredDatabase = await TestDatabase.CreateAsync(provider);
        await RestoreAsync(backup, restoredDatabase, cancellation);
        await using var restored = await PortalFactory.StartAsync(provider, settings, database: restoredDatabase);
        // On from where the original's clock was: an authenticator code of an earlier step was used there already.
        restored.Time.SetUtcNow(original.Time.GetUtcNow());

        using var partner = restored.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await TokenClient.RequestTokenAsync(partner, application.ClientId, secret)).StatusCode);
        using var withKey = await RequestWithAssertionAsync(partner, Assertion(restored, application.ClientId, Signing(key, storedKey.Hint)));
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenClient.RequestTokenAsync(partner, application.ClientId, later)).StatusCode);

        // The administrator signs in with the same password and authenticator: the factors and the key ring that
        // protects the authenticator key came back with the database.
        using var person = new PortalClient(restored);
        var codePage = await person.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        Assert.Equal(AccountPages.LoginWithCode, codePage.Path);
        var phone = new AuthenticatorApp(original.AuthenticatorOf(PortalFactory.AdminEmail)!.Key, restored.Time);
        var signedIn = await person.SubmitCodeAsync(codePage, phone.NextCode());
        Assert.Equal("/admin", signedIn.Path);
    }

    [Fact]
    public async Task Backup_refuses_to_overwrite_a_file_and_to_back_up_a_database_that_is_not_there()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var existing = Path.Combine(database.Directory, "existing");
        await File.WriteAllTextAsync(existing, "keep me", cancellation);

        await using var nothing = AppProcess.Start(database.Directory, "backup", Path.Combine(database.Directory, "copy"));
        Assert.Equal(74, await nothing.WaitForExitAsync(cancellation));
        Assert.Contains("there is no database at", nothing.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(database.Directory, "credentialportal.db")));

        await using (var migrate = AppProcess.Start(database.Directory, "migrate"))
        {
            Assert.Equal(0, await migrate.WaitForExitAsync(cancellation));
        }

        await using var overwrite = AppProcess.Start(database.Directory, "backup", existing);
        Assert.Equal(74, await overwrite.WaitForExitAsync(cancellation));
        Assert.Contains("a backup never overwrites a file", overwrite.StandardError, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(existing, cancellation));
    }

    private static async Task BackUpAsync(PortalFactory portal, string file, CancellationToken cancellation)
    {
        if (portal.Database.Provider == DatabaseProvider.Sqlite)
        {
            await using var backup = AppProcess.Start(portal.Database.Directory, "backup", file,
                $"--ConnectionStrings:CredentialPortal={portal.Database.ConnectionString}");
            Assert.Equal(0, await backup.WaitForExitAsync(cancellation));
            Assert.StartsWith($"Backed up to {file} (", backup.StandardOutput, StringComparison.Ordinal);
            return;
        }

        await RunAsync("pg_dump", ["--format=custom", "--file", file, "--dbname", PostgresUri(portal.Database)], cancellation);
    }

    private static async Task RestoreAsync(string file, TestDatabase into, CancellationToken cancellation)
    {
        if (into.Provider == DatabaseProvider.Sqlite)
        {
            File.Copy(file, new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(into.ConnectionString).DataSource);
            return;
        }

        await RunAsync("pg_restore", ["--no-owner", "--exit-on-error", "--dbname", PostgresUri(into), file], cancellation);
    }

    private static string PostgresUri(TestDatabase database)
    {
        var settings = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return $"postgresql://{Uri.EscapeDataString(settings.Username ?? "postgres")}@{settings.Host}:{settings.Port}/{settings.Database}";
    }

    /// <summary>Runs one of PostgreSQL's client tools, the server's version where Debian keeps it.</summary>
    private static async Task RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellation)
    {
        var path = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", tool)).Where(File.Exists).Order().LastOrDefault()
            : null;
        var start = new ProcessStartInfo(path ?? tool) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await errors}");
    }
}
