using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CredentialPortal.Core.Users;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using CredentialPortal.Web.SecretScanning;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.SecretScanning;

/// <summary>A signing key in GitHub's place: its id, its public half as GitHub publishes it, and signatures of raw bodies.</summary>
public sealed class GitHubTestKey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>GitHub's identifiers are hex SHA-256 strings; any unique string does here.</summary>
    public string Id { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public object Published => new { key_identifier = Id, key = _key.ExportSubjectPublicKeyInfoPem(), is_current = true };

    /// <summary>Base64 of the DER ECDSA signature over the raw body with SHA-256, as GitHub sends it.</summary>
    public string Sign(string body) =>
        Convert.ToBase64String(_key.SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public void Dispose() => _key.Dispose();
}

/// <summary>GitHub's side of secret scanning: its key endpoint (an <see cref="HttpReceiver"/>) and its signed alerts.</summary>
public static class GitHubAlertKit
{
    public const string Manager = "manager@partner.example";
    public const string NotificationAddress = "ops@partner.example";
    public const string SecretType = "credentialportal_client_secret";
    public const string LeakUrl = "https://github.com/octo/app/blob/4f2a9c0e/config/settings.yml";

    /// <summary>Serves <paramref name="keys"/> in GitHub's shape; replace them later through the returned receiver's <c>RespondBody</c>.</summary>
    public static async Task<HttpReceiver> StartKeyEndpointAsync(params GitHubTestKey[] keys)
    {
        var receiver = await HttpReceiver.StartAsync();
        Publish(receiver, keys);
        return receiver;
    }

    public static void Publish(HttpReceiver receiver, params GitHubTestKey[] keys)
    {
        var document = JsonSerializer.Serialize(new { public_keys = keys.Select(k => k.Published) });
        receiver.RespondBody = _ => document;
    }

    /// <summary>The portal's settings for alerts checked against the local key endpoint.</summary>
    public static Dictionary<string, string?> Settings(HttpReceiver keyEndpoint, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SecretScanning:GitHub:KeysUrl"] = new Uri(keyEndpoint.Address, "/meta/public_keys/secret_scanning").ToString(),
            ["SecretScanning:GitHub:AllowPrivateNetworks"] = "true",
            ["Reminders:Enabled"] = "false",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static string Body(params string[] tokens) =>
        JsonSerializer.Serialize(tokens.Select(t => new { token = t, type = SecretType, url = LeakUrl, source = "content" }));

    /// <summary>Posts <paramref name="body"/> as GitHub does, signed by <paramref name="key"/> unless a header value is given.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, GitHubTestKey key, string body,
        string? keyId = null, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GitHubAlertEndpoint.Path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(GitHubAlertEndpoint.KeyIdentifierHeader, keyId ?? key.Id);
        request.Headers.Add(GitHubAlertEndpoint.SignatureHeader, signature ?? key.Sign(body));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await client.SendAsync(request);
    }

    /// <summary>The feedback: each token's label, in the order sent.</summary>
    public static async Task<IReadOnlyList<(string Token, string Type, string Label)>> FeedbackAsync(HttpResponseMessage response)
    {
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return json.EnumerateArray()
            .Select(e => (e.GetProperty("token_raw").GetString()!, e.GetProperty("token_type").GetString()!, e.GetProperty("label").GetString()!))
            .ToList();
    }

    /// <summary>A credential manager and a notification address for the application: the two kinds of recipient of a leak email.</summary>
    public static async Task AddRecipientsAsync(PortalFactory portal, TestApplication application)
    {
        await using var db = portal.CreateDbContext();
        var now = portal.Time.GetUtcNow().UtcDateTime;
        var app = await db.Applications.SingleAsync(a => a.Id == application.Id);
        app.NotificationEmails = [NotificationAddress];
        var user = new PortalUser
        {
            Id = Guid.NewGuid(),
            Email = Manager,
            UserName = Manager,
            NormalizedEmail = Manager.ToUpperInvariant(),
            NormalizedUserName = Manager.ToUpperInvariant(),
            OrganisationId = app.OrganisationId,
            CreatedAt = now,
        };
        db.Users.Add(user);
        db.CredentialManagers.Add(new CredentialManagerAssignment { User = user, ApplicationId = app.Id, AssignedAt = now, AssignedBy = "test" });
        await db.SaveChangesAsync();
    }

    public static async Task<List<Core.Audit.AuditEvent>> AuditAsync(PortalFactory portal, string eventType)
    {
        await using var db = portal.CreateDbContext();
        return await db.AuditEvents.Where(e => e.EventType == eventType).OrderBy(e => e.Id).ToListAsync();
    }

    public static async Task<Core.Credentials.ClientSecret> SecretAsync(PortalFactory portal, int secretId)
    {
        await using var db = portal.CreateDbContext();
        return await db.ClientSecrets.SingleAsync(s => s.Id == secretId);
    }
}
