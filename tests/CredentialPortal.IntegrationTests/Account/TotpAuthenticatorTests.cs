using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Account;

public sealed class TotpAuthenticatorTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Of_two_concurrent_checks_of_one_code_exactly_one_succeeds(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        var app = new AuthenticatorApp(await EnrolAdministratorAsync(portal), portal.Time);
        for (var round = 0; round < 10; round++)
        {
            var code = app.NextCode();
            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => CheckAsync(portal, code))));

            Assert.Equal(1, results.Count(r => r == TotpCheck.Accepted));
            Assert.Equal(3, results.Count(r => r == TotpCheck.Replayed));
        }
    }

    [Fact]
    public async Task The_provider_is_identitys_authenticator_token_provider()
    {
        await using var portal = await PortalFactory.StartAsync();
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = (await users.FindByEmailAsync(PortalFactory.AdminEmail))!;
        await users.ResetAuthenticatorKeyAsync(admin);
        var app = new AuthenticatorApp((await users.GetAuthenticatorKeyAsync(admin))!, portal.Time);

        var code = app.NextCode();
        Assert.True(await users.VerifyTwoFactorTokenAsync(admin, users.Options.Tokens.AuthenticatorTokenProvider, code));
        Assert.False(await users.VerifyTwoFactorTokenAsync(admin, users.Options.Tokens.AuthenticatorTokenProvider, code));
        Assert.False(await users.VerifyTwoFactorTokenAsync(admin, TokenOptions.DefaultAuthenticatorProvider, code));
    }

    [Fact]
    public async Task The_authenticator_key_is_encrypted_at_rest_and_oathtool_codes_are_accepted()
    {
        await using var portal = await PortalFactory.StartAsync();
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = (await users.FindByEmailAsync(PortalFactory.AdminEmail))!;
        await users.ResetAuthenticatorKeyAsync(admin);
        var key = (await users.GetAuthenticatorKeyAsync(admin))!;

        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var stored = await db.UserTokens.AsNoTracking().SingleAsync(t => t.UserId == admin.Id && t.Name == "AuthenticatorKey");
        Assert.Equal(32, key.Length);
        Assert.DoesNotContain(key, stored.Value!, StringComparison.OrdinalIgnoreCase);

        const string oathtool = "/usr/bin/oathtool";
        Assert.SkipUnless(File.Exists(oathtool), "oathtool is not installed; ./test.sh installs it (apt-get install oathtool).");
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        var now = portal.Time.GetUtcNow();
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(oathtool)
        {
            ArgumentList = { "--totp", "-b", key, "--now", now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
        })!;
        var code = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();

        Assert.Equal(TotpCheck.Accepted, await CheckAsync(portal, code));
    }

    /// <summary>
    /// A request that loaded the user before a code was accepted and then saves the user (a failed attempt counting
    /// toward lockout, say) must not write the old time step back, which would make the used code valid again.
    /// </summary>
    [Fact]
    public async Task A_stale_full_update_of_the_user_cannot_reopen_a_used_code()
    {
        await using var portal = await PortalFactory.StartAsync();
        var code = new AuthenticatorApp(await EnrolAdministratorAsync(portal), portal.Time).NextCode();
        await using var stale = portal.Services.CreateAsyncScope();
        var staleUsers = stale.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var staleAdmin = (await staleUsers.FindByEmailAsync(PortalFactory.AdminEmail))!;

        Assert.Equal(TotpCheck.Accepted, await CheckAsync(portal, code));
        Assert.True((await staleUsers.AccessFailedAsync(staleAdmin)).Succeeded);

        Assert.Equal(TotpCheck.Replayed, await CheckAsync(portal, code));
    }

    /// <summary>Gives the first administrator a fresh authenticator key and returns it.</summary>
    private static async Task<string> EnrolAdministratorAsync(PortalFactory portal)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = (await users.FindByEmailAsync(PortalFactory.AdminEmail))!;
        await users.ResetAuthenticatorKeyAsync(admin);
        return (await users.GetAuthenticatorKeyAsync(admin))!;
    }

    private static async Task<TotpCheck> CheckAsync(PortalFactory portal, string code)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = (await users.FindByEmailAsync(PortalFactory.AdminEmail))!;
        return await scope.ServiceProvider.GetRequiredService<TotpAuthenticator>().CheckAsync(users, admin, code);
    }
}
