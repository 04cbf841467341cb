using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Webhooks;

/// <summary>Registers endpoints, changes credentials the way the product does, and checks what a receiver got.</summary>
public static class WebhookTestKit
{
    public const string Owner = "owner@partner.example";

    /// <summary>
    /// Steps the outbox sender until nothing is pending. A pass that disables an endpoint queues the owner's notice,
    /// which that pass has already read past: the next pass sends it (the one the insert wakes, or the test's own).
    /// </summary>
    public static async Task DeliverPendingAsync(PortalFactory portal)
    {
        await using var db = portal.CreateDbContext();
        for (var pass = 0; pass < 5 && await db.OutboxMessages.AnyAsync(e => e.Status == OutboxStatus.Pending); pass++)
        {
            await portal.RunNextPassAsync<OutboxSender>();
        }
    }

    /// <summary>Webhooks over plain HTTP to the test's loopback receiver.</summary>
    public static Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Webhooks:AllowHttp"] = "true" };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>An endpoint of the application (or, with <paramref name="organisationId"/>, of an organisation) and its secret.</summary>
    public static async Task<(int Id, string Secret)> RegisterAsync(PortalFactory portal, string url, int? applicationId = null,
        int? organisationId = null, bool allowPrivateNetwork = true)
    {
        using var scope = portal.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<WebhookEndpointManagement>()
            .RegisterAsync(url, "test receiver", organisationId, applicationId, allowPrivateNetwork, new AuditActor(Owner));
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        return (result.Registered!.Endpoint.Id, result.Registered.Secret);
    }

    /// <summary>Creates a secret through SecretManagement, as the portal and the API do.</summary>
    public static async Task<int> CreateSecretAsync(PortalFactory portal, TestApplication application, string name = "webhook test")
    {
        using var scope = portal.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var app = await db.Applications.SingleAsync(a => a.Id == application.Id);
        var result = await scope.ServiceProvider.GetRequiredService<SecretManagement>().CreateAsync(app, name,
            CredentialExpiryPolicy.ExpiresAtFor(DateOnly.FromDateTime(portal.Time.GetUtcNow().UtcDateTime.AddDays(90))), new AuditActor(Owner));
        Assert.True(result.Succeeded);
        return result.Value!.Secret.Id;
    }

    public static async Task<List<WebhookDelivery>> DeliveriesAsync(PortalFactory portal, int endpointId)
    {
        await using var db = portal.CreateDbContext();
        return await db.WebhookDeliveries.Where(d => d.EndpointId == endpointId).OrderBy(d => d.Id).ToListAsync();
    }

    public static async Task<WebhookEndpoint> EndpointAsync(PortalFactory portal, int endpointId)
    {
        await using var db = portal.CreateDbContext();
        return await db.WebhookEndpoints.SingleAsync(e => e.Id == endpointId);
    }

    public static JsonElement Json(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement.Clone();

    /// <summary>
    /// Verifies a request the way the Standard Webhooks specification tells receivers to, written here from the
    /// specification rather than reusing the product's signer: HMAC-SHA256 keyed with the base64 part of the
    /// <c>whsec_</c> secret over "id.timestamp.body", any of the space-separated <c>v1,</c> signatures, and a timestamp
    /// within five minutes of now.
    /// </summary>
    public static bool HasValidSignature(ReceivedRequest request, string secret, DateTimeOffset now)
    {
        if (!request.Headers.TryGetValue("webhook-id", out var id) || !request.Headers.TryGetValue("webhook-timestamp", out var timestamp)
            || !request.Headers.TryGetValue("webhook-signature", out var signatures)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }

        using var hmac = new HMACSHA256(Convert.FromBase64String(secret.Split('_', 2)[1]));
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(id + "." + timestamp + "." + Encoding.UTF8.GetString(request.Body)));
        return signatures.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(s[3..]), expected));
    }
}
