using System.Security.Claims;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Account;

public sealed class ManagedApplicationsTests
{
    [Fact]
    public async Task Administrators_manage_every_application_and_managers_only_theirs()
    {
        await using var portal = await PortalFactory.StartAsync();
        var (_, acme) = await portal.CreateOrganisationAsync("Acme", "DM", "SMC");
        var (_, other) = await portal.CreateOrganisationAsync("Other", "DM");
        var managerId = Guid.NewGuid();
        await using (var db = portal.CreateDbContext())
        {
            var organisationId = await db.Applications.Where(a => a.Id == acme[0]).Select(a => a.OrganisationId).SingleAsync();
            db.Users.Add(new PortalUser
            {
                Id = managerId, UserName = "m@acme.example", NormalizedUserName = "M@ACME.EXAMPLE", Email = "m@acme.example",
                NormalizedEmail = "M@ACME.EXAMPLE", OrganisationId = organisationId, SecurityStamp = "s",
            });
            db.CredentialManagers.Add(new CredentialManagerAssignment { UserId = managerId, ApplicationId = acme[0], AssignedBy = "test" });
            await db.SaveChangesAsync();
        }

        var admin = Principal(Guid.NewGuid(), PortalRole.Administrator);
        var manager = Principal(managerId);
        var stranger = Principal(Guid.NewGuid());
        await using var scope = portal.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<ManagedApplications>();

        Assert.True(ManagedApplications.IsAdministrator(admin));
        Assert.False(ManagedApplications.IsAdministrator(manager));
        Assert.Equal(3, await applications.QueryManagedApplications(admin).CountAsync());
        Assert.Equal([acme[0]], await applications.QueryManagedApplications(manager).Select(a => a.Id).ToListAsync());
        Assert.Empty(await applications.QueryManagedApplications(stranger).ToListAsync());
        Assert.Empty(await applications.QueryManagedApplications(new ClaimsPrincipal(new ClaimsIdentity())).ToListAsync());
        Assert.NotNull(await applications.FindAsync(admin, other[0]));
        Assert.NotNull(await applications.FindAsync(manager, acme[0]));
        Assert.Null(await applications.FindAsync(manager, acme[1]));
        Assert.Null(await applications.FindAsync(manager, other[0]));
        Assert.Null(await applications.FindAsync(stranger, acme[0]));
    }

    /// <summary>A principal as a completed sign-in produces it.</summary>
    private static ClaimsPrincipal Principal(Guid userId, string? role = null)
    {
        var identity = new ClaimsIdentity("Identity.Application");
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, userId.ToString("D")));
        identity.AddClaim(new Claim(PortalSessions.AuthenticationMethodClaim, PortalSessions.MultiFactor));
        if (role is not null)
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }

        return new ClaimsPrincipal(identity);
    }
}
