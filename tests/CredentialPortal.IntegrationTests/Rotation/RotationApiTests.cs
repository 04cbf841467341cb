using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Rotation;

/// <summary>
/// <c>POST …/secrets/{id}/rotate</c> and a key added with <c>replaces</c>: both credentials work during the grace period,
/// the old one stops after it (or after the new one's first use plus the chosen time), on the fake clock.
/// </summary>
public sealed class RotationApiTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Both_secrets_work_during_the_grace_period_and_the_old_one_stops_after_it(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var http = portal.CreateClient();
        var (application, oldSecret, oldId) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, application.ClientId, oldSecret, "credentials.self");
        var rotatedAt = portal.Time.GetUtcNow().UtcDateTime;

        var rotated = await OkJsonAsync(await RotateAsync(http, application.ClientId, oldId, token, """{"gracePeriod":"P2D"}"""),
            HttpStatusCode.Created);
        var newSecret = rotated.GetProperty("value").GetString()!;
        var newId = rotated.GetProperty("id").GetInt32();
        Assert.Equal(oldId, rotated.GetProperty("replaced").GetProperty("id").GetInt32());
        Assert.Equal(newId, rotated.GetProperty("replaced").GetProperty("replacedBy").GetInt32());
        Assert.Equal(rotatedAt.AddDays(2), rotated.GetProperty("replaced").GetProperty("expiresAt").GetDateTime());

        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, oldSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, newSecret)).StatusCode);
        portal.Time.Advance(TimeSpan.FromDays(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, oldSecret)).StatusCode);
        portal.Time.Advance(TimeSpan.FromSeconds(1));
        await AssertErrorAsync(await RequestTokenAsync(http, application.ClientId, oldSecret), HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, newSecret)).StatusCode);

        await using var db = portal.CreateDbContext();
        var rotation = await db.AuditEvents.SingleAsync(e => e.ApplicationId == application.Id && e.EventType == AuditEventTypes.SecretRotated);
        Assert.Equal(oldId, rotation.CredentialId);
        Assert.Equal(application.ClientId, rotation.Actor);
        Assert.Contains($"replaced by secret '{rotated.GetProperty("name").GetString()}'", rotation.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(newSecret, rotation.Details, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_old_secret_stops_the_chosen_time_after_the_new_one_is_first_used(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var http = portal.CreateClient();
        var (application, oldSecret, oldId) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, application.ClientId, oldSecret, "credentials.self");
        var rotated = await OkJsonAsync(await RotateAsync(http, application.ClientId, oldId, token,
            """{"gracePeriod":"P7D","retireAfterFirstUse":"PT1H"}"""), HttpStatusCode.Created);
        var newSecret = rotated.GetProperty("value").GetString()!;
        var recorder = portal.Services.GetRequiredService<UsageRecorder>();

        // Unused, the new secret starts nothing: the old one outlives the hour.
        portal.Time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, oldSecret)).StatusCode);
        await recorder.FlushAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, oldSecret)).StatusCode);

        var firstUse = portal.Time.GetUtcNow().UtcDateTime;
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, newSecret)).StatusCode);
        await recorder.FlushAsync(CancellationToken.None);
        await using (var db = portal.CreateDbContext())
        {
            var old = await db.ClientCredentials.SingleAsync(c => c.Id == oldId);
            Assert.Equal(firstUse.AddHours(1), old.ExpiresAt);
            Assert.Null(old.RetireSecondsAfterReplacementUse);
            Assert.Contains(await db.AuditEvents.Where(e => e.CredentialId == oldId).Select(e => e.Details).ToListAsync(),
                d => d!.Contains("now expires at", StringComparison.Ordinal));
        }

        portal.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, oldSecret)).StatusCode);
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        await AssertErrorAsync(await RequestTokenAsync(http, application.ClientId, oldSecret), HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, application.ClientId, newSecret)).StatusCode);
    }

    [Fact]
    public async Task One_call_without_a_body_rotates_with_seven_days_grace_and_the_managers_get_one_rotated_email_and_webhooks_hear_created_and_rotated()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var application = await ManagedApplicationAsync(portal, ["m1@demoorg.example"]);
        var (oldSecret, oldId) = await AddSecretAsync(portal, application, expiresIn: TimeSpan.FromDays(90));
        var token = await GetTokenAsync(http, application.ClientId, oldSecret, "credentials.self");
        await using (var setup = portal.CreateDbContext())
        {
            setup.WebhookEndpoints.Add(new WebhookEndpoint
            {
                ApplicationId = application.Id, Url = "https://hooks.example/rotation", ProtectedSecret = "x", CreatedAt = DateTime.UnixEpoch,
                CreatedBy = "tests",
            });
            await setup.SaveChangesAsync();
        }

        var now = portal.Time.GetUtcNow().UtcDateTime;
        var rotated = await OkJsonAsync(await SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{application.ClientId}/secrets/{oldId}/rotate", token),
            HttpStatusCode.Created);
        Assert.Equal(now.AddDays(7), rotated.GetProperty("replaced").GetProperty("expiresAt").GetDateTime());

        await using var db = portal.CreateDbContext();
        var webhook = await db.OutboxMessages.SingleAsync(m => m.Channel == OutboxChannel.Webhook && m.WebhookEventType == WebhookEventTypes.CredentialRotated);
        using var payload = JsonDocument.Parse(webhook.WebhookPayload!);
        var data = payload.RootElement.GetProperty("data");
        Assert.Equal(rotated.GetProperty("hint").GetString(), data.GetProperty("replaced_by").GetProperty("credential_hint").GetString());
        Assert.Equal(rotated.GetProperty("replaced").GetProperty("hint").GetString(), data.GetProperty("credential_hint").GetString());
        Assert.DoesNotContain(rotated.GetProperty("value").GetString()!, webhook.WebhookPayload, StringComparison.Ordinal);
        // Webhook consumers still hear of the new credential on its own, as of any creation.
        Assert.Single(await db.OutboxMessages.Where(m => m.Channel == OutboxChannel.Webhook && m.WebhookEventType == WebhookEventTypes.CredentialCreated)
            .ToListAsync(TestContext.Current.CancellationToken));
        // Its delivery is the webhook tests' business; only the emails are sent here.
        await db.OutboxMessages.Where(m => m.Channel == OutboxChannel.Webhook).ExecuteDeleteAsync();

        await portal.RunNextPassAsync<OutboxSender>();
        // One action, one email: the "rotated" one names both secrets; no separate "created" email.
        var mail = Assert.Single(portal.Mail.All());
        Assert.StartsWith("Client secret rotated", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Replaced by:", mail.Body, StringComparison.Ordinal);
        Assert.Contains(rotated.GetProperty("hint").GetString()!, mail.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(rotated.GetProperty("value").GetString()!, mail.Raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"gracePeriod":"P31D"}""", "from 1 minute to 30 days")]
    [InlineData("""{"gracePeriod":"PT30S"}""", "from 1 minute to 30 days")]
    [InlineData("""{"gracePeriod":"seven days"}""", "ISO 8601 duration")]
    [InlineData("""{"gracePeriod":"-P1D"}""", "from 1 minute to 30 days")]
    [InlineData("""{"gracePeriod":"P1D","retireAfterFirstUse":"P2D"}""", "to the grace period (1 day)")]
    [InlineData("""{"retireAfterFirstUse":"1 hour"}""", "ISO 8601 duration")]
    [InlineData("""{"gracePeriod":7}""", "not valid JSON for this operation")]
    [InlineData("""{"grace":"P7D"}""", "Allowed fields: name, expiresAt, gracePeriod, retireAfterFirstUse")]
    [InlineData("""{"expiresAt":"2020-01-01"}""", "after today")]
    public async Task Bad_input_is_a_400_with_problem_details_and_changes_nothing(string body, string detail)
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, secretId) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, application.ClientId, secret, "credentials.self");

        await AssertProblemAsync(await RotateAsync(http, application.ClientId, secretId, token, body), HttpStatusCode.BadRequest, detail);

        await using var db = portal.CreateDbContext();
        Assert.Equal(1, await db.ClientCredentials.CountAsync(c => c.ApplicationId == application.Id));
        Assert.Null((await db.ClientCredentials.SingleAsync(c => c.Id == secretId)).ReplacedById);
    }

    [Fact]
    public async Task Only_an_active_secret_not_rotated_before_can_be_rotated()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, secretId) = await CallerAsync(portal);
        var (_, disabledId) = await AddSecretAsync(portal, application, disabled: true);
        var token = await GetTokenAsync(http, application.ClientId, secret, "credentials.self");

        await AssertProblemAsync(await RotateAsync(http, application.ClientId, disabledId, token, "{}"), HttpStatusCode.Conflict,
            "is disabled: only an active secret can be rotated");
        var first = await OkJsonAsync(await RotateAsync(http, application.ClientId, secretId, token, "{}"), HttpStatusCode.Created);
        await AssertProblemAsync(await RotateAsync(http, application.ClientId, secretId, token, "{}"), HttpStatusCode.Conflict,
            $"was already rotated: it expires at the end of its grace period. Rotate its replacement (#{first.GetProperty("id").GetInt32()})");
        await AssertProblemAsync(await RotateAsync(http, application.ClientId, 999_999, token, "{}"), HttpStatusCode.NotFound, "no secret");
        await AssertProblemAsync(await RotateAsync(http, application.ClientId, secretId, token, "{}", ifMatch: "\"stale\""),
            HttpStatusCode.PreconditionFailed, "changed");
    }

    [Fact]
    public async Task A_key_added_with_replaces_rotates_a_secret_with_the_same_grace()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, secretId) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, application.ClientId, secret, "credentials.self");
        var now = portal.Time.GetUtcNow().UtcDateTime;
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        var jwk = $$"""{"kty":"RSA","n":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Modulus!)}}","e":"AQAB"}""";

        await AssertProblemAsync(await SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{application.ClientId}/keys", token,
            $$"""{"name":"k","key":{{jwk}},"gracePeriod":"P1D"}"""), HttpStatusCode.BadRequest, "need replaces");
        await AssertProblemAsync(await SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{application.ClientId}/keys", token,
            $$"""{"name":"k","key":{{jwk}},"replaces":999999}"""), HttpStatusCode.BadRequest, "no secret or key with id 999999");
        var key = await OkJsonAsync(await SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{application.ClientId}/keys", token,
            $$"""{"name":"Key replacing the secret","key":{{jwk}},"replaces":{{secretId}},"gracePeriod":"P1D"}"""), HttpStatusCode.Created);

        var old = await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{application.ClientId}/secrets/{secretId}", token));
        Assert.Equal(now.AddDays(1), old.GetProperty("expiresAt").GetDateTime());
        Assert.Equal(key.GetProperty("id").GetInt32(), old.GetProperty("replacedBy").GetInt32());
        await using var db = portal.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.CredentialId == secretId && e.EventType == AuditEventTypes.SecretRotated
            && e.Details!.Contains("replaced by key 'Key replacing the secret'")));
    }

    internal static Task<HttpResponseMessage> RotateAsync(HttpClient http, string clientId, int secretId, string token, string body,
        string? ifMatch = null) =>
        SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{clientId}/secrets/{secretId}/rotate", token, body, ifMatch);
}
