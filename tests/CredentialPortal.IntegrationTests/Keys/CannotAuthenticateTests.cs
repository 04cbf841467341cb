using System.Security.Cryptography;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary>
/// "Cannot obtain tokens" (<see cref="CredentialQueries.CannotAuthenticateAt"/>) follows the authentication policy and
/// counts keys: the query itself on each provider, the dashboard's tile, and the application list's filter and column.
/// </summary>
public sealed class CannotAuthenticateTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Only_applications_without_an_active_credential_their_policy_allows_cannot_obtain_tokens(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider, settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var before = await DashboardCountAsync(admin);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        async Task<TestApplication> ArrangeAsync(AuthenticationPolicy policy, bool activeSecret = false, bool activeKey = false, bool lapsed = false)
        {
            var application = await CreateApplicationAsync(portal);
            if (activeSecret)
            {
                await AddSecretAsync(portal, application);
            }

            if (activeKey)
            {
                await AddKeyAsync(portal, application, PublicPem(ec));
            }

            if (lapsed)
            {
                // Credentials that no longer count: a disabled secret, an expired one and a disabled key.
                await AddSecretAsync(portal, application, disabled: true);
                await AddSecretAsync(portal, application, expiresIn: TimeSpan.FromDays(-1));
                var key = await AddKeyAsync(portal, application, PublicPem(ec));
                await ChangeAsync(portal, application.Id, async db =>
                    (await db.ClientKeys.SingleAsync(k => k.Id == key.Id)).DisabledAt = portal.Time.GetUtcNow().UtcDateTime);
            }

            // Set last: a policy that refuses a kind also refuses adding one (the secrets here are older than the policy).
            await ChangeAsync(portal, application.Id, async db =>
                (await db.Applications.SingleAsync(a => a.Id == application.Id)).AuthenticationPolicy = policy);
            return application;
        }

        TestApplication[] can =
        [
            await ArrangeAsync(AuthenticationPolicy.SecretsAndKeys, activeSecret: true),
            await ArrangeAsync(AuthenticationPolicy.SecretsAndKeys, activeKey: true),
            await ArrangeAsync(AuthenticationPolicy.KeysOnly, activeKey: true, activeSecret: true),
            await ArrangeAsync(AuthenticationPolicy.SecretsOnly, activeSecret: true, lapsed: true),
        ];
        TestApplication[] cannot =
        [
            await ArrangeAsync(AuthenticationPolicy.KeysOnly, activeSecret: true),
            await ArrangeAsync(AuthenticationPolicy.SecretsOnly, activeKey: true),
            await ArrangeAsync(AuthenticationPolicy.SecretsAndKeys, lapsed: true),
            await ArrangeAsync(AuthenticationPolicy.SecretsAndKeys),
        ];

        await using (var db = portal.CreateDbContext())
        {
            var now = portal.Time.GetUtcNow().UtcDateTime;
            var ids = can.Concat(cannot).Select(a => a.Id).ToList();
            var mine = db.Applications.Where(a => ids.Contains(a.Id));
            Assert.Equal(cannot.Select(a => a.Id).Order(), await mine.Where(CredentialQueries.CannotAuthenticateAt(db.ClientCredentials, now)).Select(a => a.Id).OrderBy(id => id).ToListAsync());
            Assert.Equal(can.Select(a => a.Id).Order(), await mine.Where(CredentialQueries.CanAuthenticateAt(db.ClientCredentials, now)).Select(a => a.Id).OrderBy(id => id).ToListAsync());
        }

        Assert.Equal(before + cannot.Length, await DashboardCountAsync(admin));
        var filtered = await admin.GetAsync("/admin/applications?CannotObtainTokens=true");
        Assert.All(cannot, a => Assert.Contains(a.Name, filtered.Text, StringComparison.Ordinal));
        Assert.All(can, a => Assert.DoesNotContain(a.Name, filtered.Text, StringComparison.Ordinal));

        // The list's column counts what can obtain tokens: a key counts, a secret its policy ignores does not.
        var keyOnly = await admin.GetAsync($"/admin/applications?Search={Uri.EscapeDataString(can[1].Name)}");
        Assert.Equal("1", ActiveCredentialsCell(keyOnly));
        var keysOnlyWithASecret = await admin.GetAsync($"/admin/applications?Search={Uri.EscapeDataString(cannot[0].Name)}");
        Assert.Equal("0 none", ActiveCredentialsCell(keysOnlyWithASecret));
    }

    /// <summary>The number on the dashboard's "… active applications that cannot obtain tokens" tile.</summary>
    private static async Task<int> DashboardCountAsync(PortalClient admin) =>
        AdminPages.DashboardCount(await admin.GetAsync("/admin"), "cannot-obtain-tokens");

    /// <summary>The "Active credentials" cell of the only row (the fifth column).</summary>
    private static string ActiveCredentialsCell(HtmlPage list) =>
        string.Join(' ', list.Document.QuerySelectorAll("tbody tr").Single().QuerySelectorAll("td")[4].TextContent
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
