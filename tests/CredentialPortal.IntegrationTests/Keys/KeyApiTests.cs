using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Reminders;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary><c>/api/v1/applications/{clientId}/keys</c>, the shared last-credential guard, and key reminders.</summary>
public sealed class KeyApiTests
{
    [Fact]
    public async Task A_self_rotating_application_adds_lists_disables_enables_and_deletes_keys_and_sees_only_public_material()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, secretId) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var added = await OkJsonAsync(await PostKeyAsync(http, self.ClientId, token, new { name = "api key", key = PublicPem(ec) }), HttpStatusCode.Created);
        Assert.Equal("EC P-384", added.GetProperty("description").GetString());
        var thumbprint = added.GetProperty("thumbprint").GetString()!;
        Assert.Equal(thumbprint, added.GetProperty("jwk").GetProperty("kid").GetString());
        Assert.False(added.GetProperty("jwk").TryGetProperty("d", out _));
        var keyId = added.GetProperty("id").GetInt32();

        // The key works at once on this instance: the change's post-commit step evicted the client.
        using (var keyToken = await RequestWithAssertionAsync(http, Assertion(portal, self.ClientId, Signing(ec, thumbprint, "ES384"))))
        {
            Assert.Equal(HttpStatusCode.OK, keyToken.StatusCode);
        }

        var list = await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{self.ClientId}/keys", token));
        Assert.Equal([thumbprint], list.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("thumbprint").GetString()));

        // With a key active, the last secret may go; then the key is the last credential and is guarded.
        Assert.Equal(HttpStatusCode.NoContent, (await ActAsync(http, self.ClientId, secretId, "delete", token)).StatusCode);
        token = await KeyTokenAsync(http, portal, self.ClientId, ec, thumbprint);
        await AssertProblemAsync(await KeyActAsync(http, self.ClientId, keyId, "disable", token), HttpStatusCode.Conflict,
            "only active key of the calling application; you may not disable it");
        await AssertProblemAsync(await KeyActAsync(http, self.ClientId, keyId, "delete", token), HttpStatusCode.Conflict, "you may not delete it");

        var second = await OkJsonAsync(await PostKeyAsync(http, self.ClientId, token, new { name = "second", key = JsonDocument.Parse(Jwk()).RootElement }), HttpStatusCode.Created);
        var secondId = second.GetProperty("id").GetInt32();
        Assert.Equal("disabled", (await OkJsonAsync(await KeyActAsync(http, self.ClientId, secondId, "disable", token))).GetProperty("status").GetString());
        Assert.Equal("active", (await OkJsonAsync(await KeyActAsync(http, self.ClientId, secondId, "enable", token))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await KeyActAsync(http, self.ClientId, secondId, "delete", token)).StatusCode);
        await AssertProblemAsync(await KeyActAsync(http, self.ClientId, 999_999, "disable", token), HttpStatusCode.NotFound, "has no key with id");
    }

    [Fact]
    public async Task A_private_key_or_an_unknown_field_is_refused_with_problem_details()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        using var rsa = RSA.Create(2048);

        using var refused = await PostKeyAsync(http, self.ClientId, token, new { name = "oops", key = rsa.ExportPkcs8PrivateKeyPem() });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("Never share a private key", problem.GetProperty("errors").GetProperty("key")[0].GetString(), StringComparison.Ordinal);
        await AssertProblemAsync(await PostKeyAsync(http, self.ClientId, token, new { name = "x", key = PublicPem(rsa), kid = "mine" }),
            HttpStatusCode.BadRequest, "field this operation does not know");
        await using var db = portal.CreateDbContext();
        Assert.False(await db.ClientKeys.AnyAsync());
    }

    [Fact]
    public async Task A_key_gets_the_six_three_and_one_week_reminders_through_the_outbox()
    {
        // The walk spans 35 days: retention (30 days for sent messages) would delete the first reminder's row it counts.
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });
        var app = await ManagedApplicationAsync(portal, ["kim@demoorg.example"]);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = portal.Time.GetUtcNow().UtcDateTime;
        var key = await AddKeyAsync(portal, app, PublicPem(ec), expiresAt: now.Date.AddDays(43), name: "Expiring key");

        var subjects = new List<string>();
        foreach (var day in new[] { 1, 22, 36 })
        {
            portal.Time.SetUtcNow(new DateTimeOffset(now.Date.AddDays(day).AddHours(9), TimeSpan.Zero));
            await portal.RunNextPassAsync<ReminderService>();
            await portal.RunNextPassAsync<OutboxSender>();
        }

        var reminders = portal.Mail.To("kim@demoorg.example").Where(m => m.Subject.StartsWith("Key \"Expiring key\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(["in 42 days", "in 21 days", "in 7 days"], reminders.Select(m => m.Subject[(m.Subject.IndexOf("expires ", StringComparison.Ordinal) + 8)..]));
        Assert.All(reminders, m => Assert.Contains("replace the key", m.Body, StringComparison.Ordinal));
        Assert.All(reminders, m => Assert.Contains(key.Hint, m.Body, StringComparison.Ordinal));
        await using var db = portal.CreateDbContext();
        Assert.Equal(3, await db.OutboxMessages.CountAsync(e => e.CredentialId == key.Id && e.EmailKind == EmailKind.Reminder));
    }

    private static Task<HttpResponseMessage> PostKeyAsync(HttpClient http, string clientId, string token, object body) =>
        SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{clientId}/keys", token, JsonSerializer.Serialize(body));

    private static Task<HttpResponseMessage> KeyActAsync(HttpClient http, string clientId, int keyId, string action, string token) => action == "delete"
        ? SendAsync(http, HttpMethod.Delete, $"/api/v1/applications/{clientId}/keys/{keyId}", token)
        : SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{clientId}/keys/{keyId}/{action}", token);

    private static async Task<string> KeyTokenAsync(HttpClient http, PortalFactory portal, string clientId, ECDsa ec, string kid)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "credentials.self",
            ["client_assertion_type"] = AssertionType,
            ["client_assertion"] = Assertion(portal, clientId, Signing(ec, kid, "ES384")),
        });
        using var response = await http.PostAsync("/connect/token", content);
        return (await JsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    private static string Jwk()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        return $$"""{"kty":"RSA","n":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Modulus!)}}","e":"AQAB"}""";
    }
}
