using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Admin;

/// <summary>Two administrators removing each other at the same moment must leave one.</summary>
public sealed class AdministratorRaceTests
{
    private const int Rounds = 8;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Two_administrators_demoting_each_other_at_once_never_leave_none(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider, new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var first = new PortalClient(portal);
        await first.SignInAsAdministratorAsync();
        var second = (await first.InviteAndOnboardAsync("second.admin@operator.example")).Client;
        var firstId = await UserIdAsync(portal, PortalFactory.AdminEmail);
        var secondId = await UserIdAsync(portal, "second.admin@operator.example");
        await MakeBothAdministratorsAsync(portal, firstId, secondId);
        var firstDemotesSecond = await new AdminPages(first).UserActionReadyAsync("RemoveAdministrator", secondId);
        var secondDemotesFirst = await new AdminPages(second).UserActionReadyAsync("RemoveAdministrator", firstId);

        for (var round = 0; round < Rounds; round++)
        {
            await Task.WhenAll(firstDemotesSecond(), secondDemotesFirst());

            Assert.Equal(1, await ActiveAdministratorsAsync(portal));
            await MakeBothAdministratorsAsync(portal, firstId, secondId);
        }

        second.Dispose();
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Two_administrators_disabling_each_other_at_once_never_leave_none(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider, new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var first = new PortalClient(portal);
        await first.SignInAsAdministratorAsync();
        var second = (await first.InviteAndOnboardAsync("second.admin@operator.example")).Client;
        var firstId = await UserIdAsync(portal, PortalFactory.AdminEmail);
        var secondId = await UserIdAsync(portal, "second.admin@operator.example");
        await MakeBothAdministratorsAsync(portal, firstId, secondId);

        var firstDisablesSecond = await new AdminPages(first).UserActionReadyAsync("Disable", secondId);
        var secondDisablesFirst = await new AdminPages(second).UserActionReadyAsync("Disable", firstId);

        await Task.WhenAll(firstDisablesSecond(), secondDisablesFirst());

        Assert.Equal(1, await ActiveAdministratorsAsync(portal));
        second.Dispose();
    }

    private static async Task<Guid> UserIdAsync(PortalFactory portal, string email)
    {
        await using var db = portal.CreateDbContext();
        return await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
    }

    private static async Task MakeBothAdministratorsAsync(PortalFactory portal, params Guid[] userIds)
    {
        await using var db = portal.CreateDbContext();
        var roleId = await db.Roles.Where(r => r.Name == PortalRole.Administrator).Select(r => r.Id).SingleAsync();
        foreach (var userId in userIds)
        {
            if (!await db.UserRoles.AnyAsync(r => r.UserId == userId && r.RoleId == roleId))
            {
                db.UserRoles.Add(new IdentityUserRole<Guid> { UserId = userId, RoleId = roleId });
            }
        }

        await db.SaveChangesAsync();
    }

    private static async Task<int> ActiveAdministratorsAsync(PortalFactory portal)
    {
        await using var db = portal.CreateDbContext();
        var roleId = await db.Roles.Where(r => r.Name == PortalRole.Administrator).Select(r => r.Id).SingleAsync();
        return await db.UserRoles.CountAsync(r => r.RoleId == roleId && db.Users.Any(u => u.Id == r.UserId && !u.IsDisabled));
    }
}
