using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Account;

public sealed class TotpAuthenticatorTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Of_two_concurrent_checks_of_one_code_exactly_one_succeeds(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        string key;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var admin = (await users.FindByEmailAsync(PortalFactory.AdminEmail))!;
            await users.ResetAuthenticatorKeyAsync(admin);
            key = (await users.GetAuthenticatorKeyAsync(admin))!;
        }

        var app = new AuthenticatorApp(key, portal.Time);
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

    private static async Task<TotpCheck> CheckAsync(PortalFactory portal, string code)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = (await users.FindByEmailAsync(PortalFactory.AdminEmail))!;
        return await scope.ServiceProvider.GetRequiredService<TotpAuthenticator>().CheckAsync(users, admin, code);
    }
}
