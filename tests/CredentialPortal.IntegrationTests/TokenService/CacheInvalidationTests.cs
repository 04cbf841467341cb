using System.Net;
using System.Security.Cryptography;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>
/// Changes made through any instance stop or start token issuance on every instance within a second: each instance
/// sees them after one poll of the change log, whose interval is under a second.
/// </summary>
public sealed class CacheInvalidationTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Two_instances_on_one_database_see_every_change_within_a_second(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        // The expected refusals count as failures; the failure throttle would turn the later ones into 429s.
        const string throttle = "TokenService:FailedAuthentication:MaxFailures";
        await using var first = await PortalFactory.StartAsync(provider, settings: new Dictionary<string, string?> { [throttle] = "0" });
        await using var second = await PortalFactory.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:CredentialPortal"] = first.Database.ConnectionString,
            [throttle] = "0",
        });
        using var one = first.CreateClient();
        using var two = second.CreateClient();
        PortalFactory[] instances = [first, second];
        HttpClient[] clients = [one, two];

        var app = await CreateApplicationAsync(first);
        var (secret, secretId) = await AddSecretAsync(first, app);

        Assert.All(instances, i => Assert.True(i.BackgroundService<CredentialChangePoller>().Interval < TimeSpan.FromSeconds(1)));

        // One poll on every instance, then one request each: no retries, so the first answer must be the right one.
        async Task AllAsync(string clientId, string presented, HttpStatusCode expected)
        {
            await Task.WhenAll(instances.Select(i => i.RunNextPassAsync<CredentialChangePoller>()));
            foreach (var client in clients)
            {
                using var response = await RequestTokenAsync(client, clientId, presented);
                Assert.True(response.StatusCode == expected, $"expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        // Both instances cache the client.
        await AllAsync(app.ClientId, secret, HttpStatusCode.OK);

        // Disabled through the first instance's store: refused by both.
        await SetSecretDisabledAsync(first, app, secretId, disabled: true);
        await AllAsync(app.ClientId, secret, HttpStatusCode.Unauthorized);

        // Enabled again through the second.
        await SetSecretDisabledAsync(second, app, secretId, disabled: false);
        await AllAsync(app.ClientId, secret, HttpStatusCode.OK);

        // A new secret works at once everywhere, and a deleted one stops.
        var (added, addedId) = await AddSecretAsync(second, app);
        await AllAsync(app.ClientId, added, HttpStatusCode.OK);
        await ChangeAsync(first, app.Id, db => db.ClientSecrets.Where(s => s.Id == addedId).ExecuteDeleteAsync());
        await AllAsync(app.ClientId, added, HttpStatusCode.Unauthorized);

        // Deactivating the application stops every secret.
        await ChangeAsync(second, app.Id, db => db.Applications.Where(a => a.Id == app.Id)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.IsActive, false)));
        await AllAsync(app.ClientId, secret, HttpStatusCode.Unauthorized);

        // An unknown client_id is remembered as unknown, but a new application is announced by the change log.
        var unknownFirst = Guid.NewGuid().ToString();
        foreach (var client in clients)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await RequestTokenAsync(client, unknownFirst, "x")).StatusCode);
        }

        var created = await CreateApplicationAsync(first);
        var (createdSecret, _) = await AddSecretAsync(first, created);
        await AllAsync(created.ClientId, createdSecret, HttpStatusCode.OK);
        Assert.All(instances, i => Assert.Equal(first.Database.ConnectionString, i.CreateDbContext().Database.GetConnectionString()));
    }

    /// <summary>
    /// A partner that creates a credential through one instance and uses it at once may reach another instance that
    /// has not read the change log yet: that instance rereads the client instead of refusing (and throttling) it, at most
    /// once per <see cref="ClientCache.MinRefreshAge"/>. The second instance's poll is 5 s away on its fake clock, which
    /// moves less than a second here: no poll runs.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_credential_created_on_one_instance_works_at_once_on_another_that_has_not_polled(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var first = await PortalFactory.StartAsync(provider);
        await using var second = await PortalFactory.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:CredentialPortal"] = first.Database.ConnectionString,
            ["TokenService:ChangePollMilliseconds"] = "5000",
        });
        using var two = second.CreateClient();
        var app = await CreateApplicationAsync(first);
        var (secret, _) = await AddSecretAsync(first, app);
        using (var cached = await RequestTokenAsync(two, app.ClientId, secret))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        second.Time.Advance(ClientCache.MinRefreshAge);
        var (created, _) = await AddSecretAsync(first, app);
        using (var atOnce = await RequestTokenAsync(two, app.ClientId, created))
        {
            Assert.Equal(HttpStatusCode.OK, atOnce.StatusCode);
        }

        // Just reloaded: a credential it does not know is refused without another round trip until the copy is old enough.
        var (next, _) = await AddSecretAsync(first, app);
        using (var tooSoon = await RequestTokenAsync(two, app.ClientId, next))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, tooSoon.StatusCode);
        }

        second.Time.Advance(ClientCache.MinRefreshAge);
        using (var later = await RequestTokenAsync(two, app.ClientId, next))
        {
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        }

        // A key added on the first instance signs an assertion the second accepts at once, by its kid.
        second.Time.Advance(ClientCache.MinRefreshAge);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = await AddKeyAsync(first, app, PublicPem(ec));
        using var asserted = await RequestWithAssertionAsync(two, Assertion(second, app.ClientId, Signing(ec, key.Hint)));
        Assert.Equal(HttpStatusCode.OK, asserted.StatusCode);
    }
}
