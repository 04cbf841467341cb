using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Hosting;

public sealed class StartupTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_fresh_database_is_migrated_ready_and_has_the_first_administrator(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var client = portal.CreateClient();

        var alive = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());

        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = await users.FindByEmailAsync(PortalFactory.AdminEmail);
        Assert.NotNull(admin);
        Assert.True(await users.IsInRoleAsync(admin, PortalRole.Administrator));
        Assert.True(await users.CheckPasswordAsync(admin, PortalFactory.AdminPassword));
        await using var db = portal.CreateDbContext();
        Assert.Equal("Operator", (await db.Organisations.SingleAsync(o => o.Id == admin.OrganisationId)).Name);
        Assert.Single(await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.UserCreated).ToListAsync());
    }

    [Fact]
    public async Task Without_migrations_the_app_is_alive_but_not_ready()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Database:MigrateOnStartup"] = "false",
        });
        using var client = portal.CreateClient();

        var alive = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_second_start_on_the_same_database_creates_no_second_administrator()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:CredentialPortal"] = database.ConnectionString,
            ["Bootstrap:AdminEmail"] = "someone.else@operator.example",
        };
        await using (var first = await PortalFactory.StartAsync(settings: settings))
        {
        }

        await using var second = await PortalFactory.StartAsync(settings: settings);
        await using var db = second.CreateDbContext();

        Assert.Equal(["someone.else@operator.example"], await db.Users.Select(u => u.Email).ToListAsync());
    }
}
