using CredentialPortal.Core.Data;
using CredentialPortal.Reminders;
using CredentialPortal.TokenService;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Api;
using CredentialPortal.Web.SecretScanning;
using CredentialPortal.Web.Setup;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Hosting;

/// <summary>Wires the parts of the product into one host; each part brings its own Add/Map extension.</summary>
public static class PortalHost
{
    public static WebApplicationBuilder AddCredentialPortal(this WebApplicationBuilder builder, StartupCommand command)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPortalLogging();
        builder.AddPortalTelemetry();
        builder.AddReverseProxySupport();
        builder.AddCredentialPortalStore();
        builder.AddPortalIdentity();
        builder.AddFirstStart(command);
        builder.AddTokenService();
        builder.AddReminders();
        builder.AddManagementApi();
        builder.Services.AddSecretScanning();
        builder.Services.AddMemoryCache();
        builder.Services.AddRazorPages(options =>
        {
            // Create and edit share one page and form: the create route has no id.
            options.Conventions.AddPageRoute("/Admin/Organisations/Edit", "/admin/organisations/create");
            options.Conventions.AddPageRoute("/Admin/Applications/Edit", "/admin/applications/create");
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseOutageHandler>();
        builder.Services.AddExceptionHandler<MachineEndpointErrorHandler>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        return builder;
    }

    public static async Task<int> RunCommandAsync(this WebApplication app, StartupCommand command)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(command);
        switch (command.Action)
        {
            case StartupAction.Migrate:
                await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
                Console.WriteLine("Migrations applied.");
                return 0;
            case StartupAction.SchemaScript:
                await using (var db = await app.Services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>().CreateDbContextAsync())
                {
                    Console.WriteLine(db.Database.GenerateCreateScript());
                }

                return 0;
            case StartupAction.Backup:
                return await BackupAsync(app, command.BackupFile!);
            default:
                app.MapCredentialPortal();
                // Read before running: the host disposes its lifetime on the way out, and the token with it.
                var stopping = app.Lifetime.ApplicationStopping;
                try
                {
                    await app.RunAsync();
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    // Ctrl-C or SIGTERM while starting cancels the start: the stop that was asked for, not a failure.
                    await Console.Error.WriteLineAsync("Stopped before the start finished.");
                }

                return 0;
        }
    }

    private static async Task<int> BackupAsync(WebApplication app, string file)
    {
        if (app.Services.GetRequiredService<DatabaseOptions>().Provider != DatabaseProvider.Sqlite)
        {
            await Console.Error.WriteLineAsync("backup copies the embedded SQLite database; back up PostgreSQL with pg_dump --format=custom "
                + "and SQL Server with BACKUP DATABASE (docs/operations.md, Backups).");
            return 64;
        }

        try
        {
            var bytes = await app.Services.GetRequiredService<SqliteBackup>().BackupAsync(file);
            Console.WriteLine($"Backed up to {Path.GetFullPath(file)} ({bytes:N0} bytes).");
            return 0;
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"backup failed: {ex.Message}");
            return 74;
        }
    }

    /// <summary>An endpoint for programs (token service, management API, discovery, health), not a portal page.</summary>
    internal static bool IsMachineEndpoint(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/connect") || path.StartsWithSegments("/connectivity")
        || path.StartsWithSegments("/.well-known") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/healthz")
        || path.StartsWithSegments("/secret-scanning");

    private static void MapCredentialPortal(this WebApplication app)
    {
        // Mapping builds services that read their settings; validate every setting first (as the host would at start), so
        // that all invalid ones are reported together rather than only the first part's.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        // First, so that everything after it sees the client's address and scheme as the trusted proxy reported them.
        app.UseForwardedHeaders();
        app.UsePortalTelemetry();
        // Links name Portal:BaseUrl (or the listen address): say once when people reach the portal under another host.
        var address = app.Services.GetRequiredService<PortalAddress>();
        address.WarnIfPasskeysCannotWork();
        app.Use((context, next) =>
        {
            address.CheckRequestHost(context.Request);
            return next(context);
        });
        app.UsePortalSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            // DatabaseOutageHandler first; otherwise the /error page, re-executed in a fresh request scope (the failed
            // request's cached authentication result must not be reused), with 503 for a database outage.
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = DatabaseOutageHandler.ErrorPath,
                CreateScopeForErrors = true,
                StatusCodeSelector = ex => DatabaseOutage.IsOutage(ex) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError,
                // The handler logs an outage as one warning line; a stack trace per request would bury the cause.
                SuppressDiagnosticsCallback = context => DatabaseOutage.IsOutage(context.Exception),
            });
            app.UseHsts();
        }

        // A portal response without a body (unknown address, someone else's object, refused) gets a page with a way
        // back, under its own status code. Machine endpoints keep their bodies and empty 401s as the protocols define.
        app.UseWhen(context => !IsMachineEndpoint(context.Request.Path),
            branch => branch.UseStatusCodePagesWithReExecute("/status/{0}"));
        app.UsePortalRequestLogging();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        // Liveness says the process answers; readiness also needs the database and its migrations.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
        // Static assets come from the build's manifest: content-hashed URLs, ETags and compression computed at build time.
        // The tag helpers' asp-append-version reads the same manifest (WithStaticAssets) instead of hashing files at run
        // time and watching them for changes, which costs an inotify instance per host (see docs/operations).
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorPages().WithStaticAssets();
        app.MapTokenService();
        app.MapManagementApi();
        app.MapSecretScanning();
    }
}
