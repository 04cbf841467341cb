using System.Security.Cryptography;
using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Hosting;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Setup;

public static class FirstStartSetup
{
    public static WebApplicationBuilder AddFirstStart(this WebApplicationBuilder builder, StartupCommand command)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(command);
        builder.Services.AddValidatedOptions<BootstrapOptions, BootstrapOptionsValidator>(BootstrapOptions.SectionName);
        builder.Services.AddSingleton(command);
        builder.Services.AddScoped<DemoSeeder>();
        // Registered before the parts' own hosted services, so they start with the first administrator in place.
        builder.Services.AddHostedService<FirstStart>();
        return builder;
    }
}

/// <summary>
/// Runs before the server listens, after the migrations: creates the first administrator on an empty database,
/// and seeds the demo data when started with <c>--seed-demo</c>.
/// </summary>
public sealed class FirstStart(
    IServiceScopeFactory scopes,
    DatabaseMigrator migrator,
    ILogger<FirstStart> logger,
    StartupCommand command,
    IOptions<BootstrapOptions> bootstrap,
    PortalAddress portal,
    IHostApplicationLifetime lifetime,
    IHostEnvironment environment,
    TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(await migrator.CheckReadyAsync(cancellationToken)).Ready)
        {
            // Database:MigrateOnStartup is off and nobody ran "migrate" yet: stay up, report not ready.
            logger.LogWarning("The database schema is not up to date; run the migrate command. First-start setup is deferred");
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await CreateFirstAdministratorAsync(scope.ServiceProvider, cancellationToken);
        if (command.SeedDemo)
        {
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Creates the organisation, the role and the administrator in one transaction. Instances started at the same time
    /// on an empty database take turns (<see cref="StartupLock"/>; on SQLite the write lock): the first creates them, the
    /// others find users. Should two still collide, the unique indexes refuse the second, which finds users and carries on.
    /// </summary>
    private async Task CreateFirstAdministratorAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<CredentialPortalDbContext>();
        CreatedAdministrator? created;
        await using var turn = await StartupLock.AcquireAsync(services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>(), cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            created = await CreateUnlessUsersExistAsync(services, db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or ConfigurationException or InvalidOperationException)
        {
            db.ChangeTracker.Clear();
            if (!await db.Users.AnyAsync(cancellationToken))
            {
                throw;
            }

            logger.LogInformation("Another instance created the first administrator at the same time");
            return;
        }

        if (created is not null)
        {
            // Printed, not logged, and only once committed: the password must not end up in log files or log collectors.
            // Without Portal:BaseUrl (Development) the sign-in address is the one the server listens on: printed then.
            if (portal.IsConfigured)
            {
                Console.WriteLine(created.SignInText(portal.BaseUrl));
            }
            else
            {
                lifetime.ApplicationStarted.Register(() => Console.WriteLine(created.SignInText(portal.BaseUrl)));
            }
        }
    }

    /// <summary>How to sign in as the first administrator: printed once, never logged.</summary>
    private sealed record CreatedAdministrator(string Email, string ShownPassword)
    {
        public string SignInText(string baseUrl) => $"""

            First administrator created.
              sign in at: {baseUrl}/
              email:      {Email}
              password:   {ShownPassword}

            """;
    }

    /// <summary>The administrator created, or null when there are users already.</summary>
    private async Task<CreatedAdministrator?> CreateUnlessUsersExistAsync(IServiceProvider services, CredentialPortalDbContext db,
        CancellationToken cancellationToken)
    {
        if (await db.Users.AnyAsync(cancellationToken))
        {
            return null;
        }

        var options = bootstrap.Value;
        var adminEmail = !string.IsNullOrWhiteSpace(options.AdminEmail) ? options.AdminEmail
            : environment.IsDevelopment() ? BootstrapOptions.DevelopmentAdminEmail
            : throw new ConfigurationException("Bootstrap:AdminEmail",
                "the first start outside Development creates the first administrator: set it to their email address, e.g. Bootstrap__AdminEmail=admin@example.org.");
        var now = time.GetUtcNow().UtcDateTime;
        var organisation = await db.Organisations.SingleOrDefaultAsync(o => o.Name == options.OrganisationName, cancellationToken);
        if (organisation is null)
        {
            organisation = new Organisation { Name = options.OrganisationName, CountryCode = options.OrganisationCountry, CreatedAt = now };
            db.Organisations.Add(organisation);
        }

        organisation.IsOperator = true;
        await db.SaveChangesAsync(cancellationToken);

        var roles = services.GetRequiredService<RoleManager<PortalRole>>();
        if (!await roles.RoleExistsAsync(PortalRole.Administrator))
        {
            EnsureSucceeded(await roles.CreateAsync(new PortalRole { Name = PortalRole.Administrator }), "create the Administrator role");
        }

        var generated = string.IsNullOrEmpty(options.AdminPassword);
        var password = generated ? GeneratePassword() : options.AdminPassword!;
        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var admin = new PortalUser
        {
            UserName = adminEmail,
            Email = adminEmail,
            EmailConfirmed = true,
            DisplayName = "Administrator",
            OrganisationId = organisation.Id,
            CreatedAt = now,
        };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
        {
            throw new ConfigurationException("Bootstrap:AdminPassword", string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        EnsureSucceeded(await users.AddToRoleAsync(admin, PortalRole.Administrator), "make the first user an administrator");
        services.GetRequiredService<AuditLog>().Add(AuditEventTypes.UserCreated, AuditActor.System,
            $"first administrator {admin.Email}", organisationId: organisation.Id);
        await db.SaveChangesAsync(cancellationToken);
        var shownPassword = generated ? $"{password}   (generated; shown only this once)" : "the value of Bootstrap:AdminPassword";
        return new CreatedAdministrator(admin.Email, shownPassword);
    }

    /// <summary>A 20-character password from the CSPRNG, without look-alike characters.</summary>
    internal static string GeneratePassword() =>
        RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);

    private static void EnsureSucceeded(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }
}
