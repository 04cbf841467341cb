using System.Net;
using System.Text.Json;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.IntegrationTests.TokenService;

public sealed record TestApplication(int Id, string ClientId, string Name);

/// <summary>Arranges applications and secrets in the store and calls the token service like a partner would.</summary>
public static class TokenServiceTestKit
{
    public static async Task<TestApplication> CreateApplicationAsync(PortalFactory portal, bool active = true,
        bool withPermissions = true, bool selfRotation = false)
    {
        await using var db = portal.CreateDbContext();
        var now = portal.Time.GetUtcNow().UtcDateTime;
        var organisationName = "Org" + Guid.NewGuid().ToString("N")[..12];
        var organisation = new Organisation { Name = organisationName, CountryCode = "NL", CreatedAt = now };
        var application = new Application
        {
            ClientId = SecretGenerator.NewClientId(),
            Name = ApplicationName.Propose("NL", organisationName, "DM", sandboxOnly: false),
            Organisation = organisation,
            ApiCode = "DM",
            IsActive = active,
            AllowSelfRotation = selfRotation,
            CreatedAt = now,
        };
        if (withPermissions)
        {
            application.Permissions.Add(new ApplicationPermission { Api = "data-manager", Environment = ApiEnvironment.Production });
            application.Permissions.Add(new ApplicationPermission { Api = "data-manager", Environment = ApiEnvironment.Sandbox });
        }

        db.Applications.Add(application);
        await db.SaveChangesAsync();
        db.RecordCredentialChange(application.Id, now);
        await db.SaveChangesAsync();
        return new TestApplication(application.Id, application.ClientId, application.Name);
    }

    /// <summary>Adds a secret (a generated one unless <paramref name="value"/> is given) and returns its value and id.</summary>
    public static async Task<(string Value, int Id)> AddSecretAsync(PortalFactory portal, TestApplication application,
        TimeSpan? expiresIn = null, bool disabled = false, string? value = null)
    {
        await using var db = portal.CreateDbContext();
        var now = portal.Time.GetUtcNow().UtcDateTime;
        value ??= SecretGenerator.NewSecret().Value;
        var secret = new ClientSecret
        {
            ApplicationId = application.Id,
            Name = "test secret " + Guid.NewGuid().ToString("N")[..6],
            Hash = SecretGenerator.Hash(value),
            Hint = SecretFormat.HintOf(value),
            CreatedAt = now,
            CreatedBy = "tests",
            ExpiresAt = now + (expiresIn ?? TimeSpan.FromDays(30)),
            DisabledAt = disabled ? now : null,
            DisabledBy = disabled ? "tests" : null,
        };
        db.ClientSecrets.Add(secret);
        db.RecordCredentialChange(application.Id, now);
        await db.SaveChangesAsync();
        return (value, secret.Id);
    }

    /// <summary>Changes the store the way the portal does: the change and its change-log row in one SaveChanges.</summary>
    public static async Task ChangeAsync(PortalFactory portal, int applicationId, Func<Core.Data.CredentialPortalDbContext, Task> change)
    {
        await using var db = portal.CreateDbContext();
        await change(db);
        db.RecordCredentialChange(applicationId, portal.Time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync();
    }

    public static Task SetSecretDisabledAsync(PortalFactory portal, TestApplication application, int secretId, bool disabled) =>
        ChangeAsync(portal, application.Id, async db =>
        {
            var secret = await db.ClientSecrets.SingleAsync(s => s.Id == secretId);
            secret.DisabledAt = disabled ? portal.Time.GetUtcNow().UtcDateTime : null;
            secret.DisabledBy = disabled ? "tests" : null;
        });

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Asserts an RFC 6749 §5.2 error: status, JSON body, error code, one-line description, no caching.</summary>
    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(error, json.GetProperty("error").GetString());
        var description = json.GetProperty("error_description").GetString()!;
        Assert.DoesNotContain('\r', description);
        Assert.DoesNotContain('\n', description);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        return json;
    }

    /// <summary>Validates a token against the published JWKS, as a relying party would.</summary>
    public static async Task<TokenValidationResult> ValidateAgainstJwksAsync(HttpClient client, string token,
        string issuer = "http://localhost", string audience = "credential-portal-api")
    {
        var jwks = new JsonWebKeySet(await client.GetStringAsync("/.well-known/openid-configuration/jwks"));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
            ValidateLifetime = false,
        });
    }
}
