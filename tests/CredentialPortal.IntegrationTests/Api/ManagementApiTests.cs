using CredentialPortal.Core.Credentials;
using System.Net;
using System.Text.Json;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Api;

public sealed class ManagementApiTests
{
    [Fact]
    public async Task A_self_rotating_application_sees_and_manages_only_itself()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, secretId) = await CallerAsync(portal);
        var (other, _, otherSecretId) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");

        var list = await OkJsonAsync(await GetAsync(http, "/api/v1/applications", token));
        var only = Assert.Single(list.GetProperty("applications").EnumerateArray());
        Assert.Equal(self.ClientId, only.GetProperty("clientId").GetString());
        Assert.Equal(self.Name, only.GetProperty("name").GetString());
        Assert.True(only.GetProperty("allowSelfRotation").GetBoolean());
        Assert.Contains("data-manager", only.GetProperty("permissions").EnumerateArray().Select(p => p.GetProperty("scope").GetString()));
        var listed = Assert.Single(only.GetProperty("secrets").EnumerateArray());
        Assert.Equal(secretId, listed.GetProperty("id").GetInt32());
        Assert.Equal(SecretFormat.HintOf(secret), listed.GetProperty("hint").GetString());
        Assert.Equal("active", listed.GetProperty("status").GetString());
        foreach (var property in new[] { "name", "createdAt", "createdBy", "expiresAt", "lastUsedAt", "disabledAt" })
        {
            Assert.True(listed.TryGetProperty(property, out _), property);
        }

        Assert.False(listed.TryGetProperty("value", out _));
        Assert.DoesNotContain(secret, list.GetRawText(), StringComparison.Ordinal);

        // Another application's resources are not found, whatever the path: their existence is not revealed.
        await AssertProblemAsync(await GetAsync(http, $"/api/v1/applications/{other.ClientId}", token), HttpStatusCode.NotFound, other.ClientId);
        await AssertProblemAsync(await CreateAsync(http, other.ClientId, token, "x", Date(portal, 30)), HttpStatusCode.NotFound, "may manage");
        foreach (var action in new[] { "disable", "enable", "delete" })
        {
            await AssertProblemAsync(await ActAsync(http, other.ClientId, otherSecretId, action, token), HttpStatusCode.NotFound, "may manage");
            await AssertProblemAsync(await ActAsync(http, self.ClientId, otherSecretId, action, token), HttpStatusCode.NotFound,
                $"no secret with id '{otherSecretId}'");
        }

        await AssertProblemAsync(await GetAsync(http, $"/api/v1/applications/{self.ClientId}/secrets/{otherSecretId}", token),
            HttpStatusCode.NotFound, "no secret");
        await AssertProblemAsync(await GetAsync(http, "/api/v1/applications/00000000-0000-0000-0000-000000000000", token),
            HttpStatusCode.NotFound, "No application");
        await AssertProblemAsync(await GetAsync(http, $"/api/v1/applications/{self.ClientId}/secrets/abc", token),
            HttpStatusCode.NotFound, "no secret with id 'abc'");
        await AssertProblemAsync(await ActAsync(http, self.ClientId, 999_999, "disable", token), HttpStatusCode.NotFound, "999999");

        await using var db = portal.CreateDbContext();
        Assert.False(await db.ClientSecrets.AnyAsync(s => s.Id == otherSecretId && s.DisabledAt != null));
        Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.ApplicationId == other.Id));
    }

    [Fact]
    public async Task A_self_rotating_application_cannot_lock_itself_out()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, secretId) = await CallerAsync(portal);
        var (_, _, expiredId) = await AddSecretAsyncExpired(portal, self);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");

        await AssertProblemAsync(await ActAsync(http, self.ClientId, secretId, "disable", token), HttpStatusCode.Conflict,
            "only active secret of the calling application; you may not disable it");
        await AssertProblemAsync(await ActAsync(http, self.ClientId, secretId, "delete", token), HttpStatusCode.Conflict,
            "you may not delete it");
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, self.ClientId, secret)).StatusCode);

        // An expired secret is no lifeline: deleting it is fine.
        Assert.Equal(HttpStatusCode.NoContent, (await ActAsync(http, self.ClientId, expiredId, "delete", token)).StatusCode);

        // With a second active secret, the first may go: disable, enable, disable again, delete.
        var second = await OkJsonAsync(await CreateAsync(http, self.ClientId, token, "second", Date(portal, 60)), HttpStatusCode.Created);
        var disabled = await OkJsonAsync(await ActAsync(http, self.ClientId, secretId, "disable", token));
        Assert.Equal("disabled", disabled.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, disabled.GetProperty("disabledAt").ValueKind);
        await AssertErrorAsync(await RequestTokenAsync(http, self.ClientId, secret), HttpStatusCode.Unauthorized, "invalid_client");

        // The token died with the secret that obtained it; the second secret's token carries on.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, $"/api/v1/applications/{self.ClientId}", token)).StatusCode);
        token = await GetTokenAsync(http, self.ClientId, second.GetProperty("value").GetString()!, scope: "credentials.self");

        // Now the second secret is the only active one.
        await AssertProblemAsync(await ActAsync(http, self.ClientId, second.GetProperty("id").GetInt32(), "disable", token),
            HttpStatusCode.Conflict, "Create a new secret first");
        var enabled = await OkJsonAsync(await ActAsync(http, self.ClientId, secretId, "enable", token));
        Assert.Equal("active", enabled.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, self.ClientId, secret)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ActAsync(http, self.ClientId, secretId, "delete", token)).StatusCode);

        await using var db = portal.CreateDbContext();
        var events = await db.AuditEvents.Where(e => e.ApplicationId == self.Id).OrderBy(e => e.Id).Select(e => e.EventType).ToListAsync();
        Assert.Equal([AuditEventTypes.SecretDeleted, AuditEventTypes.SecretCreated, AuditEventTypes.SecretDisabled,
            AuditEventTypes.SecretEnabled, AuditEventTypes.SecretDeleted], events);
    }

    [Fact]
    public async Task An_administrators_automation_client_manages_every_application()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (admin, adminSecret, adminSecretId) = await CallerAsync(portal, selfRotation: false, admin: true);
        var (other, otherSecret, otherSecretId) = await CallerAsync(portal, selfRotation: false);
        var token = await GetTokenAsync(http, admin.ClientId, adminSecret, scope: "credentials.admin");

        var list = await OkJsonAsync(await GetAsync(http, "/api/v1/applications", token));
        var clientIds = list.GetProperty("applications").EnumerateArray().Select(a => a.GetProperty("clientId").GetString()).ToList();
        Assert.Contains(admin.ClientId, clientIds);
        Assert.Contains(other.ClientId, clientIds);

        var created = await OkJsonAsync(await CreateAsync(http, other.ClientId, token, "by automation", Date(portal, 10)), HttpStatusCode.Created);
        Assert.Equal(other.ClientId, created.GetProperty("clientId").GetString());
        // Another application's last secret: the administrators' decision, no self-lock-out guard.
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(http, other.ClientId, otherSecretId, "disable", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(http, other.ClientId, created.GetProperty("id").GetInt32(), "disable", token)).StatusCode);
        await AssertErrorAsync(await RequestTokenAsync(http, other.ClientId, otherSecret), HttpStatusCode.Unauthorized, "invalid_client");

        // Its own last active secret is guarded like any self-managing caller's.
        await AssertProblemAsync(await ActAsync(http, admin.ClientId, adminSecretId, "delete", token), HttpStatusCode.Conflict, "only active secret");

        await using var db = portal.CreateDbContext();
        var events = await db.AuditEvents.Where(e => e.ApplicationId == other.Id).ToListAsync();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(admin.ClientId, e.Actor));
    }

    [Fact]
    public async Task Callers_without_a_valid_token_or_scope_get_401_or_403_problem_details()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);
        var (plain, plainSecret, _) = await CallerAsync(portal, selfRotation: false);

        using var missing = await GetAsync(http, "/api/v1/applications", token: null);
        await AssertProblemAsync(missing, HttpStatusCode.Unauthorized, "bearer access token");
        Assert.Equal(["Bearer", "DPoP"], missing.Headers.WwwAuthenticate.Select(c => c.Scheme));
        Assert.Contains("no-store", missing.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);

        using var invalid = await GetAsync(http, "/api/v1/applications", "not.a.token");
        await AssertProblemAsync(invalid, HttpStatusCode.Unauthorized, "invalid, expired");
        Assert.Contains("error=\"invalid_token\"", invalid.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        var selfToken = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        portal.Time.Advance(TimeSpan.FromHours(2));
        await AssertProblemAsync(await GetAsync(http, "/api/v1/applications", selfToken), HttpStatusCode.Unauthorized, "expired");

        // A token without a management scope: the application's API token, or one of an application not allowed to self-rotate.
        var apiToken = await GetTokenAsync(http, self.ClientId, secret, scope: "data-manager");
        using var forbidden = await GetAsync(http, "/api/v1/applications", apiToken);
        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "credentials.self");
        Assert.Contains("insufficient_scope", forbidden.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await AssertProblemAsync(await GetAsync(http, "/api/v1/applications", await GetTokenAsync(http, plain.ClientId, plainSecret)),
            HttpStatusCode.Forbidden, "not issued for the management API");
        await AssertErrorAsync(await RequestTokenAsync(http, plain.ClientId, plainSecret, scope: "credentials.self"),
            HttpStatusCode.BadRequest, "invalid_scope");
        await AssertErrorAsync(await RequestTokenAsync(http, self.ClientId, secret, scope: "credentials.admin"),
            HttpStatusCode.BadRequest, "invalid_scope");

        // An administrator withdraws self-rotation: a token issued before stops working at once.
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", token)).StatusCode);
        await ChangeAsync(portal, self.Id, async db => (await db.Applications.SingleAsync(a => a.Id == self.Id)).AllowSelfRotation = false);
        await AssertProblemAsync(await CreateAsync(http, self.ClientId, token, "late", Date(portal, 30)), HttpStatusCode.Forbidden,
            "no longer allows");
        await using var check = portal.CreateDbContext();
        Assert.Equal(1, await check.ClientSecrets.CountAsync(s => s.ApplicationId == self.Id));
    }

    [Fact]
    public async Task A_portal_session_cookie_neither_authenticates_an_API_call_nor_redirects_it()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();

        foreach (var accept in new[] { "text/html", "application/json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/applications");
            request.Headers.Add("Accept", accept);
            using var response = await client.Http.SendAsync(request);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "bearer access token");
        }

        // Paths and methods the API does not have are problem details too, never the sign-in page.
        using var wrongMethod = await client.Http.GetAsync("/api/v1/applications/x/secrets");
        await AssertProblemAsync(wrongMethod, HttpStatusCode.Unauthorized, "bearer access token");
        var (self, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(client.Http, self.ClientId, secret, scope: "credentials.self");
        await AssertProblemAsync(await SendAsync(client.Http, HttpMethod.Put, $"/api/v1/applications/{self.ClientId}", token),
            HttpStatusCode.NotFound, $"no PUT /api/v1/applications/{self.ClientId}");
        await AssertProblemAsync(await GetAsync(client.Http, "/api/v1/nothing/here", token), HttpStatusCode.NotFound, "see /openapi/v1.json");

        using var post = await client.Http.PostAsync("/api/v1/applications/x/secrets",
            new StringContent("""{"name":"a","expiresAt":"2030-01-01"}""", System.Text.Encoding.UTF8, "application/json"));
        await AssertProblemAsync(post, HttpStatusCode.Unauthorized, "bearer access token");
    }

    [Fact]
    public async Task Creating_answers_201_with_the_value_once_a_location_and_no_store()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        var expiresAt = portal.Time.GetUtcNow().UtcDateTime.AddDays(200);

        using var response = await CreateAsync(http, self.ClientId, token, "  nightly job  ",
            expiresAt.ToString("yyyy-MM-dd'T'HH:mm:ss'+02:00'", System.Globalization.CultureInfo.InvariantCulture));
        var created = await OkJsonAsync(response, HttpStatusCode.Created);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        Assert.NotNull(response.Headers.ETag);
        var value = created.GetProperty("value").GetString()!;
        Assert.Equal("nightly job", created.GetProperty("name").GetString());
        Assert.Equal(SecretFormat.HintOf(value), created.GetProperty("hint").GetString());
        Assert.Equal("active", created.GetProperty("status").GetString());
        Assert.Equal(self.ClientId, created.GetProperty("createdBy").GetString());
        Assert.Equal(expiresAt.AddHours(-2), created.GetProperty("expiresAt").GetDateTime().ToUniversalTime(), TimeSpan.FromSeconds(1));
        var location = response.Headers.Location!.ToString();
        Assert.Equal($"/api/v1/applications/{self.ClientId}/secrets/{created.GetProperty("id").GetInt32()}", location);

        using var fetched = await GetAsync(http, location, token);
        var metadata = await OkJsonAsync(fetched);
        Assert.Equal("nightly job", metadata.GetProperty("name").GetString());
        Assert.False(metadata.TryGetProperty("value", out _));
        Assert.DoesNotContain(value, metadata.GetRawText(), StringComparison.Ordinal);

        // The value works at once (this instance's token cache is told immediately).
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, self.ClientId, value)).StatusCode);

        // A plain date means the start of that day (UTC), as in the portal.
        var dated = await OkJsonAsync(await CreateAsync(http, self.ClientId, token, "dated", Date(portal, 365)), HttpStatusCode.Created);
        Assert.Equal(DateOnly.FromDateTime(portal.Time.GetUtcNow().UtcDateTime).AddDays(365).ToDateTime(TimeOnly.MinValue),
            dated.GetProperty("expiresAt").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public async Task The_secret_limit_applies_as_in_the_portal()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);
        await ChangeAsync(portal, self.Id, async db => (await db.Applications.SingleAsync(a => a.Id == self.Id)).CredentialLimit = 2);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(http, self.ClientId, token, "two", Date(portal, 30))).StatusCode);
        var problem = await AssertProblemAsync(await CreateAsync(http, self.ClientId, token, "three", Date(portal, 30)),
            HttpStatusCode.BadRequest, "the most it may have (2)");
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
    }

    public static TheoryData<string, string, string, HttpStatusCode, string> BadInput => new()
    {
        { "malformed JSON", """{"name": "x", "expiresAt": """, "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "not JSON at all", "name=x", "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "unknown field", """{"name": "x", "expiresAt": "{{date:30}}", "value": "mine"}""", "application/json", HttpStatusCode.BadRequest, "field this operation does not know" },
        { "duplicate field", """{"name": "x", "name": "y", "expiresAt": "{{date:30}}"}""", "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "wrong type", """{"name": 5, "expiresAt": "{{date:30}}"}""", "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "JSON null", "null", "application/json", HttpStatusCode.BadRequest, "must be a JSON object" },
        { "empty body", "", "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "form body", "name=x", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "application/json" },
        { "no name", """{"expiresAt": "{{date:30}}"}""", "application/json", HttpStatusCode.BadRequest, "Enter a name" },
        { "name too long", """{"name": "{{long}}", "expiresAt": "{{date:30}}"}""", "application/json", HttpStatusCode.BadRequest, "at most 100 characters" },
        { "no expiry", """{"name": "x"}""", "application/json", HttpStatusCode.BadRequest, "Enter expiresAt" },
        { "expiry beyond one year", """{"name": "x", "expiresAt": "{{date:367}}"}""", "application/json", HttpStatusCode.BadRequest, "at most one year" },
        { "instant beyond one year", """{"name": "x", "expiresAt": "{{year+1d}}"}""", "application/json", HttpStatusCode.BadRequest, "at most one year" },
        { "expiry in the past", """{"name": "x", "expiresAt": "{{date:-1}}"}""", "application/json", HttpStatusCode.BadRequest, "after today" },
        { "expiry today", """{"name": "x", "expiresAt": "{{date:0}}"}""", "application/json", HttpStatusCode.BadRequest, "after today" },
        { "instant in the past", """{"name": "x", "expiresAt": "2020-01-01T00:00:00Z"}""", "application/json", HttpStatusCode.BadRequest, "in the future" },
        { "date-time without offset", """{"name": "x", "expiresAt": "2030-01-01T00:00:00"}""", "application/json", HttpStatusCode.BadRequest, "RFC 3339" },
        { "not a date", """{"name": "x", "expiresAt": "next week"}""", "application/json", HttpStatusCode.BadRequest, "RFC 3339" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_refused_with_problem_details_and_nothing_changes(string because, string body, string contentType,
        HttpStatusCode status, string detail)
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        var now = portal.Time.GetUtcNow().UtcDateTime;
        body = body.Replace("{{long}}", new string('n', 101), StringComparison.Ordinal)
            .Replace("{{year+1d}}", now.AddYears(1).AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        foreach (var days in new[] { -1, 0, 30, 367 })
        {
            body = body.Replace($"{{{{date:{days}}}}}", Date(portal, days), StringComparison.Ordinal);
        }

        using var response = await SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{self.ClientId}/secrets", token, body,
            contentType: contentType);

        await AssertProblemAsync(response, status, detail);
        Assert.DoesNotContain("CredentialPortal.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = portal.CreateDbContext();
        Assert.True(1 == await db.ClientSecrets.CountAsync(s => s.ApplicationId == self.Id), because);
        Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.ApplicationId == self.Id));
    }

    [Fact]
    public async Task ETags_and_If_Match_prevent_lost_updates()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, secret, secretId) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        var url = $"/api/v1/applications/{self.ClientId}";

        using var first = await GetAsync(http, url, token);
        var etag = first.Headers.ETag!.ToString();
        Assert.False(first.Headers.ETag.IsWeak);
        using var again = await GetAsync(http, url, token);
        Assert.Equal(etag, again.Headers.ETag!.ToString());

        using var created = await CreateAsync(http, self.ClientId, token, "second", Date(portal, 30), ifMatch: etag);
        var second = await OkJsonAsync(created, HttpStatusCode.Created);
        var afterCreate = created.Headers.ETag!.ToString();
        Assert.NotEqual(etag, afterCreate);

        // The stale ETag: nothing changes.
        await AssertProblemAsync(await CreateAsync(http, self.ClientId, token, "third", Date(portal, 30), ifMatch: etag),
            HttpStatusCode.PreconditionFailed, "changed since");
        await AssertProblemAsync(await ActAsync(http, self.ClientId, secretId, "disable", token, ifMatch: etag),
            HttpStatusCode.PreconditionFailed, "If-Match");
        await AssertProblemAsync(await ActAsync(http, self.ClientId, secretId, "disable", token, ifMatch: "W/" + afterCreate),
            HttpStatusCode.PreconditionFailed, "If-Match");
        await AssertProblemAsync(await ActAsync(http, self.ClientId, secretId, "disable", token, ifMatch: "garbage"),
            HttpStatusCode.PreconditionFailed, "If-Match");

        // A change made in the portal (no application row touched) also changes the ETag.
        await SetSecretDisabledAsync(portal, self, second.GetProperty("id").GetInt32(), disabled: true);
        await AssertProblemAsync(await ActAsync(http, self.ClientId, second.GetProperty("id").GetInt32(), "enable", token, ifMatch: afterCreate),
            HttpStatusCode.PreconditionFailed, "changed since");
        using var current = await GetAsync(http, url, token);
        var currentTag = current.Headers.ETag!.ToString();
        Assert.NotEqual(afterCreate, currentTag);

        using var enabled = await ActAsync(http, self.ClientId, second.GetProperty("id").GetInt32(), "enable", token,
            ifMatch: $"\"other\", {currentTag}");
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        using var deleted = await ActAsync(http, self.ClientId, secretId, "delete", token, ifMatch: "*");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.NotEqual(enabled.Headers.ETag!.ToString(), deleted.Headers.ETag!.ToString());

        await using var db = portal.CreateDbContext();
        Assert.Equal(["second"], await db.ClientSecrets.Where(s => s.ApplicationId == self.Id).Select(s => s.Name).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Concurrent_changes_with_the_same_ETag_let_exactly_one_through(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var http = portal.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        using var read = await GetAsync(http, $"/api/v1/applications/{self.ClientId}", token);
        var etag = read.Headers.ETag!.ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            CreateAsync(http, self.ClientId, token, $"racer {i}", Date(portal, 30), ifMatch: etag)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        await using var db = portal.CreateDbContext();
        Assert.Equal(2, await db.ClientSecrets.CountAsync(s => s.ApplicationId == self.Id));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.ApplicationId == self.Id));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_endpoint_schema_error_and_the_bearer_scheme()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();

        using var response = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var paths = document.GetProperty("paths");
        var operations = paths.EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            "DELETE /api/v1/applications/{clientId}/federated-credentials/{id}",
            "DELETE /api/v1/applications/{clientId}/keys/{id}",
            "DELETE /api/v1/applications/{clientId}/secrets/{id}",
            "GET /api/v1/applications",
            "GET /api/v1/applications/{clientId}",
            "GET /api/v1/applications/{clientId}/federated-credentials",
            "GET /api/v1/applications/{clientId}/keys",
            "GET /api/v1/applications/{clientId}/secrets/{id}",
            "GET /api/v1/applications/{clientId}/usage",
            "POST /api/v1/applications/{clientId}/federated-credentials",
            "POST /api/v1/applications/{clientId}/federated-credentials/{id}/disable",
            "POST /api/v1/applications/{clientId}/federated-credentials/{id}/enable",
            "POST /api/v1/applications/{clientId}/keys",
            "POST /api/v1/applications/{clientId}/keys/{id}/disable",
            "POST /api/v1/applications/{clientId}/keys/{id}/enable",
            "POST /api/v1/applications/{clientId}/secrets",
            "POST /api/v1/applications/{clientId}/secrets/{id}/disable",
            "POST /api/v1/applications/{clientId}/secrets/{id}/enable",
            "POST /api/v1/applications/{clientId}/secrets/{id}/leaked",
            "POST /api/v1/applications/{clientId}/secrets/{id}/rotate",
        ], operations);
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var responses = operation.Value.GetProperty("responses");
                Assert.True(responses.TryGetProperty("401", out var unauthorized), $"{operation.Name} {path.Name}");
                Assert.True(unauthorized.GetProperty("content").TryGetProperty("application/problem+json", out _));
                Assert.True(responses.TryGetProperty("403", out _));
                Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("summary").GetString()));
            }
        }

        var create = paths.GetProperty("/api/v1/applications/{clientId}/secrets").GetProperty("post");
        Assert.Equal("#/components/schemas/CreateSecretRequest",
            create.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        foreach (var status in new[] { "201", "400", "404", "412", "415" })
        {
            Assert.True(create.GetProperty("responses").TryGetProperty(status, out _), status);
        }

        Assert.Equal(["application/json"], create.GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(c => c.Name));
        Assert.Contains(create.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "If-Match");
        var delete = paths.GetProperty("/api/v1/applications/{clientId}/secrets/{id}").GetProperty("delete").GetProperty("responses");
        Assert.True(delete.TryGetProperty("204", out _));
        Assert.True(delete.TryGetProperty("409", out _));

        var rotate = paths.GetProperty("/api/v1/applications/{clientId}/secrets/{id}/rotate").GetProperty("post");
        Assert.Equal("#/components/schemas/RotateSecretRequest",
            rotate.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        foreach (var status in new[] { "201", "400", "404", "409", "412" })
        {
            Assert.True(rotate.GetProperty("responses").TryGetProperty(status, out _), status);
        }

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Equal(["name", "expiresAt", "gracePeriod", "retireAfterFirstUse"],
            schemas.GetProperty("RotateSecretRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.True(schemas.GetProperty("RotatedSecretResource").GetProperty("properties").TryGetProperty("replaced", out _));
        Assert.True(schemas.GetProperty("UsageResource").GetProperty("properties").TryGetProperty("days", out _));
        foreach (var schema in new[] { "ApplicationList", "ApplicationResource", "SecretResource", "CreatedSecretResource", "CreateSecretRequest", "ProblemDetails" })
        {
            Assert.True(schemas.TryGetProperty(schema, out _), schema);
        }

        Assert.Equal(["name", "expiresAt"], schemas.GetProperty("CreateSecretRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.True(schemas.GetProperty("CreatedSecretResource").GetProperty("properties").TryGetProperty("value", out _));
        Assert.False(schemas.GetProperty("SecretResource").GetProperty("properties").TryGetProperty("value", out _));
        Assert.Equal(["active", "disabled", "expired"], schemas.GetProperty("CredentialState").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));

        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.True(document.GetProperty("security")[0].TryGetProperty("Bearer", out _));
        Assert.Contains("credentials.self", document.GetProperty("info").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static async Task<(TokenService.TestApplication Application, string Value, int Id)> AddSecretAsyncExpired(
        PortalFactory portal, TokenService.TestApplication application)
    {
        var (value, id) = await AddSecretAsync(portal, application, expiresIn: TimeSpan.FromDays(-1));
        return (application, value, id);
    }
}
