using System.Security.Cryptography;
using System.Text.Json;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Signing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.TokenService;

public sealed class SigningKeyTests
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "k"];

    [Fact]
    public async Task Keys_rotate_a_successor_is_published_ahead_and_a_retired_key_stays_until_its_tokens_expired()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:KeyRotationDays"] = "10",
            ["TokenService:KeyPublishAheadDays"] = "2",
        });
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app, expiresIn: TimeSpan.FromDays(100));

        async Task<List<string>> PublishedKidsAsync() =>
            JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration/jwks")).RootElement
                .GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
        async Task<string> SigningKidAsync() => new JsonWebToken(await GetTokenAsync(http, app.ClientId, secret)).Kid;

        var first = await SigningKidAsync();
        Assert.Equal([first], await PublishedKidsAsync());

        portal.Time.Advance(TimeSpan.FromDays(8.5));
        Assert.Equal(first, await SigningKidAsync());
        var published = await PublishedKidsAsync();
        Assert.Equal(2, published.Count);
        var second = published.Single(k => k != first);

        portal.Time.Advance(TimeSpan.FromDays(1.5));
        var lastTokenOfFirst = portal.Time.GetUtcNow();
        Assert.Equal(second, await SigningKidAsync());
        Assert.Contains(first, await PublishedKidsAsync());

        portal.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.Contains(first, await PublishedKidsAsync());

        portal.Time.SetUtcNow(lastTokenOfFirst + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(6));
        Assert.DoesNotContain(first, await PublishedKidsAsync());
        Assert.Contains(second, await PublishedKidsAsync());
    }

    [Theory]
    [InlineData("RS256", "RSA")]
    [InlineData("ES256", "EC")]
    public async Task Keys_are_stored_protected_and_JWKS_publishes_public_members_only(string algorithm, string keyType)
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["TokenService:Algorithm"] = algorithm });
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);

        var token = await GetTokenAsync(http, app.ClientId, secret);

        Assert.Equal(algorithm, new JsonWebToken(token).Alg);
        var validation = await ValidateAgainstJwksAsync(http, token);
        Assert.True(validation.IsValid, validation.Exception?.Message);
        var key = Assert.Single(JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration/jwks")).RootElement
            .GetProperty("keys").EnumerateArray());
        Assert.Equal(keyType, key.GetProperty("kty").GetString());
        Assert.Equal(algorithm, key.GetProperty("alg").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.DoesNotContain(key.EnumerateObject(), p => PrivateMembers.Contains(p.Name));

        await using var db = portal.CreateDbContext();
        var stored = await db.SigningKeys.SingleAsync();
        var protectedBytes = Convert.FromBase64String(stored.ProtectedPrivateKey);
        using var rsa = RSA.Create();
        using var ec = ECDsa.Create();
        Assert.ThrowsAny<CryptographicException>(() => rsa.ImportPkcs8PrivateKey(protectedBytes, out _));
        Assert.ThrowsAny<CryptographicException>(() => ec.ImportPkcs8PrivateKey(protectedBytes, out _));
        Assert.NotEmpty(portal.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("CredentialPortal.TokenService.SigningKeys").Unprotect(protectedBytes));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Instances_creating_the_first_key_at_once_agree_on_one_key(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        await using (var db = portal.CreateDbContext())
        {
            await db.SigningKeys.ExecuteDeleteAsync();
        }

        var services = portal.Services;
        var (factory, rotation) = (services.GetRequiredService<SigningKeyFactory>(), services.GetRequiredService<SigningKeyRotation>());
        SigningKeyCache NewInstance() => new(
            new SigningKeyRepository(services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>(), factory, rotation),
            factory, rotation, portal.Time);
        var instances = Enumerable.Range(0, 4).Select(_ => NewInstance()).ToList();

        var sets = await Task.WhenAll(instances.Select(i => Task.Run(() => i.RefreshAsync(force: true, CancellationToken.None))));

        await using var check = portal.CreateDbContext();
        var key = await check.SigningKeys.SingleAsync();
        Assert.All(sets, set => Assert.Equal(key.Id, set.Signing.Key.KeyId));
        instances.ForEach(i => i.Dispose());
    }
}
