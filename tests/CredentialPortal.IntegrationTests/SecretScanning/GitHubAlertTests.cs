using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.IntegrationTests.Webhooks;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Clients;
using Microsoft.Extensions.DependencyInjection;
using static CredentialPortal.IntegrationTests.SecretScanning.GitHubAlertKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.SecretScanning;

/// <summary>
/// GitHub's secret-scanning alerts, signed by a test key that a local key endpoint publishes: a live secret found in
/// public stops working on every instance within a second, and its managers hear where it was found.
/// </summary>
public sealed class GitHubAlertTests
{
    private const string Throttle = "TokenService:FailedAuthentication:MaxFailures";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task An_alert_for_a_live_secret_stops_it_on_every_instance_within_a_second_with_email_and_audit(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        using var key = new GitHubTestKey();
        await using var keys = await StartKeyEndpointAsync(key);
        await using var first = await PortalFactory.StartAsync(provider, settings: Settings(keys, (Throttle, "0")));
        await using var second = await PortalFactory.StartAsync(provider, settings: Settings(keys, (Throttle, "0"),
            ("ConnectionStrings:CredentialPortal", first.Database.ConnectionString)));
        using var one = first.CreateClient();
        using var two = second.CreateClient();
        var app = await CreateApplicationAsync(first);
        await AddRecipientsAsync(first, app);
        var (secret, secretId) = await AddSecretAsync(first, app);
        // The other instance holds the client in its cache, the secret working.
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(two, app.ClientId, secret)).StatusCode);

        using var alert = await PostAsync(one, key, Body(secret));

        Assert.Equal(HttpStatusCode.OK, alert.StatusCode);
        Assert.Equal([(secret, SecretType, "true_positive")], await FeedbackAsync(alert));
        // Within a second: one poll of the change log, whose interval is under a second, on the fake clock.
        Assert.True(second.BackgroundService<CredentialChangePoller>().Interval < TimeSpan.FromSeconds(1));
        await second.RunNextPassAsync<CredentialChangePoller>();
        foreach (var client in new[] { one, two })
        {
            using var refused = await RequestTokenAsync(client, app.ClientId, secret);
            var error = await AssertErrorAsync(refused, HttpStatusCode.Unauthorized, "invalid_client");
            Assert.Contains("found in public", error.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        }

        var stored = await SecretAsync(first, secretId);
        Assert.NotNull(stored.DisabledAt);
        Assert.Equal(LeakUrl, stored.LeakLocation);
        var leaked = Assert.Single(await AuditAsync(first, AuditEventTypes.SecretLeaked));
        Assert.Contains(LeakUrl, leaked.Details, StringComparison.Ordinal);
        Assert.Equal(secretId, leaked.CredentialId);

        await WebhookTestKit.DeliverPendingAsync(first);
        var mail = Assert.Single(first.Mail.To(Manager).Concat(second.Mail.To(Manager)));
        Assert.Contains(NotificationAddress, mail.To);
        Assert.Contains("found in public", mail.Subject, StringComparison.Ordinal);
        Assert.Contains(LeakUrl, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Create a new secret", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, mail.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_or_missing_signature_is_refused_with_401_and_changes_nothing()
    {
        using var key = new GitHubTestKey();
        using var impostor = new GitHubTestKey();
        await using var keys = await StartKeyEndpointAsync(key);
        await using var portal = await PortalFactory.StartAsync(settings: Settings(keys));
        using var client = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, secretId) = await AddSecretAsync(portal, app);
        var body = Body(secret);

        HttpResponseMessage[] refusals =
        [
            await PostAsync(client, key, body, signature: impostor.Sign(body)), // another key's signature
            await PostAsync(client, key, body, signature: key.Sign(body + " ")), // a signature of another body
            await PostAsync(client, key, body, signature: "not base64!"),
            await PostAsync(client, key, body, signature: ""),
            await PostAsync(client, key, body, keyId: ""),
        ];

        foreach (var refusal in refusals)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refusal.StatusCode);
            Assert.Equal("application/problem+json", refusal.Content.Headers.ContentType?.MediaType);
            refusal.Dispose();
        }

        Assert.Null((await SecretAsync(portal, secretId)).LeakedAt);
        Assert.Empty(await AuditAsync(portal, AuditEventTypes.SecretLeaked));
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(client, app.ClientId, secret)).StatusCode);
    }

    [Fact]
    public async Task An_unknown_key_id_is_refused_and_fetches_the_keys_again_at_most_once_a_minute_and_stale_keys_are_refreshed()
    {
        using var key = new GitHubTestKey();
        using var rotated = new GitHubTestKey();
        await using var keys = await StartKeyEndpointAsync(key);
        await using var portal = await PortalFactory.StartAsync(settings: Settings(keys));
        using var client = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, secretId) = await AddSecretAsync(portal, app);

        // Keys fetched for the first alert; a key GitHub does not (yet) publish is refused, and asking again does not refetch.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, key, Body("ghp_notours"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, rotated, Body(secret))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, rotated, Body(secret))).StatusCode);
        Assert.Single(keys.Received);
        Assert.Null((await SecretAsync(portal, secretId)).LeakedAt);

        // GitHub rotates its key: after the refresh interval an unknown id fetches the keys again and the alert verifies.
        Publish(keys, key, rotated);
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        using var accepted = await PostAsync(client, rotated, Body(secret));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(2, keys.Received.Count);
        Assert.NotNull((await SecretAsync(portal, secretId)).LeakedAt);

        // A key GitHub withdraws stops verifying once the fetched keys are older than the cache duration (an hour).
        Publish(keys, rotated);
        portal.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, key, Body("ghp_notours"))).StatusCode);
        Assert.Equal(3, keys.Received.Count);
    }

    [Fact]
    public async Task A_replayed_alert_is_labelled_again_and_only_logged()
    {
        using var key = new GitHubTestKey();
        await using var keys = await StartKeyEndpointAsync(key);
        await using var portal = await PortalFactory.StartAsync(settings: Settings(keys));
        using var client = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        await AddRecipientsAsync(portal, app);
        var (secret, _) = await AddSecretAsync(portal, app);
        var (disabled, _) = await AddSecretAsync(portal, app, disabled: true);
        var body = Body(secret, disabled);
        var signature = key.Sign(body);

        using var original = await PostAsync(client, key, body, signature: signature);
        using var replay = await PostAsync(client, key, body, signature: signature);

        string[] labels = ["true_positive", "true_positive"];
        Assert.Equal(labels, (await FeedbackAsync(original)).Select(f => f.Label));
        Assert.Equal(labels, (await FeedbackAsync(replay)).Select(f => f.Label));
        // One response in all: the disabled secret and the replay change nothing and tell no one.
        Assert.Single(await AuditAsync(portal, AuditEventTypes.SecretLeaked));
        await WebhookTestKit.DeliverPendingAsync(portal);
        Assert.Single(portal.Mail.To(Manager));
    }

    [Fact]
    public async Task Look_alikes_other_products_and_unknown_secrets_are_false_positives_and_change_nothing()
    {
        using var key = new GitHubTestKey();
        await using var keys = await StartKeyEndpointAsync(key);
        await using var portal = await PortalFactory.StartAsync(settings: Settings(keys));
        using var client = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, secretId) = await AddSecretAsync(portal, app);
        var wrongChecksum = secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a');
        string[] tokens =
        [
            wrongChecksum,
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a", // another product's format
            SecretFormat.NewValue("cpsk"), // our format, but no application has it (never issued, or deleted)
            SecretFormat.NewValue("wmda"), // another operator's portal
        ];

        using var response = await PostAsync(client, key, Body(tokens));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(tokens.Select(t => (t, SecretType, "false_positive")), await FeedbackAsync(response));
        Assert.Null((await SecretAsync(portal, secretId)).LeakedAt);
        Assert.Empty(await AuditAsync(portal, AuditEventTypes.SecretLeaked));
    }

    [Fact]
    public async Task A_thousand_tokens_are_answered_in_one_request_and_a_thousand_and_one_are_refused()
    {
        using var key = new GitHubTestKey();
        await using var keys = await StartKeyEndpointAsync(key);
        await using var portal = await PortalFactory.StartAsync(settings: Settings(keys));
        using var client = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, secretId) = await AddSecretAsync(portal, app);
        var tokens = Enumerable.Range(0, 999).Select(i => i % 2 == 0 ? SecretFormat.NewValue("cpsk") : $"other_{i}").Append(secret).ToArray();

        using var response = await PostAsync(client, key, Body(tokens));
        using var tooMany = await PostAsync(client, key, Body([.. tokens, "one more"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var feedback = await FeedbackAsync(response);
        Assert.Equal(1000, feedback.Count);
        Assert.Equal(tokens, feedback.Select(f => f.Token));
        Assert.Equal(secret, Assert.Single(feedback, f => f.Label == "true_positive").Token);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.NotNull((await SecretAsync(portal, secretId)).DisabledAt);
    }

    [Fact]
    public async Task Under_the_Notify_policy_the_secret_keeps_working_and_its_managers_are_told()
    {
        using var key = new GitHubTestKey();
        await using var keys = await StartKeyEndpointAsync(key);
        await using var portal = await PortalFactory.StartAsync(settings: Settings(keys, ("SecretScanning:OnLeak", "Notify")));
        using var client = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        await AddRecipientsAsync(portal, app);
        var (secret, secretId) = await AddSecretAsync(portal, app);

        using var alert = await PostAsync(client, key, Body(secret));

        Assert.Equal("true_positive", Assert.Single(await FeedbackAsync(alert)).Label);
        var stored = await SecretAsync(portal, secretId);
        Assert.NotNull(stored.LeakedAt);
        Assert.Null(stored.DisabledAt);
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(client, app.ClientId, secret)).StatusCode);
        Assert.Contains("left enabled", Assert.Single(await AuditAsync(portal, AuditEventTypes.SecretLeaked)).Details, StringComparison.Ordinal);
        await WebhookTestKit.DeliverPendingAsync(portal);
        Assert.Contains("NOT disabled", Assert.Single(portal.Mail.To(Manager)).TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_are_rate_limited_per_address_and_malformed_bodies_get_a_problem()
    {
        using var key = new GitHubTestKey();
        await using var keys = await StartKeyEndpointAsync(key);
        await using var portal = await PortalFactory.StartAsync(settings: Settings(keys, ("SecretScanning:GitHub:RequestsPerMinute", "3")));
        using var client = portal.CreateClient();

        using var notJson = await PostAsync(client, key, "{not json");
        using var notAnArray = await PostAsync(client, key, """{"token":"x"}""");
        using var allowed = await PostAsync(client, key, Body("ghp_x"));
        using var limited = await PostAsync(client, key, Body("ghp_x"));

        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, notAnArray.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Fact]
    public async Task The_token_endpoint_refuses_a_wrong_checksum_without_a_lookup_and_older_secrets_keep_working()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { [Throttle] = "0" });
        using var client = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        // A secret of the format before this one: 43 base64url characters.
        var (older, _) = await AddSecretAsync(portal, app, value: "x4Yb2f0T3Zk9yS6qW8pLm1Nv7Rr5Cu0Ae2Dg4Fh6Jk8");
        var (secret, _) = await AddSecretAsync(portal, app);
        var cache = portal.Services.GetRequiredService<ClientCache>();
        cache.Clear();

        using var mistyped = await RequestTokenAsync(client, app.ClientId, secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a'));

        var error = await AssertErrorAsync(mistyped, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Contains("checksum", error.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, cache.Count); // the client was never looked up
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(client, app.ClientId, older)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(client, app.ClientId, secret)).StatusCode);
    }
}
