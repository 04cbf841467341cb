using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Setup;

/// <summary>
/// <c>--seed-demo</c>: a demo organisation with two applications, a credential manager and secrets in several
/// states, so a newcomer sees a realistic portal at once. On every demo start each demo application also gets one
/// fresh secret that is printed, so the token service can be tried with curl straight away.
/// </summary>
public sealed class DemoSeeder(CredentialPortalDbContext db, UserManager<PortalUser> users, IOptions<SecretOptions> secretOptions, TimeProvider time)
{
    public const string OrganisationName = "DemoOrg";
    public const string ManagerEmail = "demo.manager@demoorg.example";
    public const string PrintedSecretName = "Demo credential (printed at start-up)";

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var organisation = await db.Organisations.SingleOrDefaultAsync(o => o.Name == OrganisationName, cancellationToken);
        if (organisation is null)
        {
            organisation = await CreateDemoDataAsync(now, cancellationToken);
        }

        var applications = await db.Applications
            .Where(a => a.OrganisationId == organisation.Id)
            .Include(a => a.Secrets)
            .OrderBy(a => a.Name)
            .ToListAsync(cancellationToken);
        foreach (var application in applications)
        {
            // Replace the previous start's printed secret, so restarts never hit the credential limit.
            db.ClientSecrets.RemoveRange(application.Secrets.Where(s => s.Name == PrintedSecretName));
            var secret = SecretGenerator.NewSecret(secretOptions.Value.Prefix);
            application.Secrets.Add(new ClientSecret
            {
                Name = PrintedSecretName,
                Hash = secret.Hash,
                Hint = secret.Hint,
                CreatedAt = now,
                CreatedBy = "demo seed",
                ExpiresAt = now.AddDays(90),
            });
            db.RecordCredentialChange(application.Id, now);
            await db.SaveChangesAsync(cancellationToken);
            Console.WriteLine($"demo credential: application={application.Name} client_id={application.ClientId} client_secret={secret.Value}");
        }
    }

    private async Task<Organisation> CreateDemoDataAsync(DateTime now, CancellationToken cancellationToken)
    {
        var organisation = new Organisation { Name = OrganisationName, CountryCode = "NL", CreatedAt = now };
        var dataManager = NewApplication(organisation, "DM", sandboxOnly: false, now);
        // So that the "Automating rotation" walk-through of docs/integrators.md works against a demo instance.
        dataManager.AllowSelfRotation = true;
        dataManager.Permissions.Add(new ApplicationPermission { Api = "data-manager", Environment = ApiEnvironment.Production });
        dataManager.Permissions.Add(new ApplicationPermission { Api = "data-manager", Environment = ApiEnvironment.Sandbox });
        AddSecret(dataManager, "Production secret by Demo Manager", createdAt: now.AddDays(-345), expiresAt: now.AddDays(20));
        AddSecret(dataManager, "Old secret by Demo Manager", createdAt: now.AddDays(-375), expiresAt: now.AddDays(-10));

        var sandbox = NewApplication(organisation, "SMC", sandboxOnly: true, now);
        sandbox.Permissions.Add(new ApplicationPermission { Api = "search-match", Environment = ApiEnvironment.Sandbox });
        sandbox.Permissions.Add(new ApplicationPermission { Api = "match-connect", Environment = ApiEnvironment.Sandbox });
        AddSecret(sandbox, "Sandbox secret by Demo Manager", createdAt: now.AddDays(-60), expiresAt: now.AddDays(200));

        db.Organisations.Add(organisation);
        db.Applications.AddRange(dataManager, sandbox);
        await db.SaveChangesAsync(cancellationToken);

        var password = FirstStart.GeneratePassword();
        var manager = new PortalUser
        {
            UserName = ManagerEmail,
            Email = ManagerEmail,
            EmailConfirmed = true,
            DisplayName = "Demo Manager",
            OrganisationId = organisation.Id,
            CreatedAt = now,
        };
        var created = await users.CreateAsync(manager, password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        foreach (var application in new[] { dataManager, sandbox })
        {
            db.CredentialManagers.Add(new CredentialManagerAssignment
            {
                UserId = manager.Id,
                ApplicationId = application.Id,
                AssignedAt = now,
                AssignedBy = "demo seed",
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        Console.WriteLine($"demo credential manager: email={ManagerEmail} password={password}   (shown only this once)");
        return organisation;
    }

    private static Application NewApplication(Organisation organisation, string apiCode, bool sandboxOnly, DateTime now) => new()
    {
        ClientId = SecretGenerator.NewClientId(),
        Name = ApplicationName.Propose(organisation.CountryCode, organisation.Name, apiCode, sandboxOnly),
        Organisation = organisation,
        ApiCode = apiCode,
        IsSandboxOnly = sandboxOnly,
        CreatedAt = now,
    };

    private static void AddSecret(Application application, string name, DateTime createdAt, DateTime expiresAt)
    {
        // The values of these seeded secrets are thrown away: they exist to show secrets in several states.
        var secret = SecretGenerator.NewSecret();
        application.Secrets.Add(new ClientSecret
        {
            Name = name,
            Hash = secret.Hash,
            Hint = secret.Hint,
            CreatedAt = createdAt,
            CreatedBy = ManagerEmail,
            ExpiresAt = expiresAt,
        });
    }
}
