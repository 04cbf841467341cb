using System.Net;
using System.Text.Json;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>
/// The management API and the portal while PostgreSQL is unreachable (a proxy between app and server, cut by the
/// test): each answers 503 with Retry-After in its own format, and works again once the database is back.
/// </summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task The_management_api_answers_problem_details_503()
    {
        await using var portal = await StartAsync();
        using var http = portal.CreateClient();
        var (caller, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, caller.ClientId, secret, scope: "credentials.self");

        portal.DatabaseProxy!.Cut();
        using var response = await GetAsync(http, "/api/v1/applications", token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(DatabaseOutage.RetryAfter, response.Headers.RetryAfter?.Delta);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("Service Unavailable", problem.GetProperty("title").GetString());
        Assert.Contains("Retry-After", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        portal.DatabaseProxy.Restore();
        using var after = await GetAsync(http, "/api/v1/applications", token);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Signing_in_answers_the_portal_outage_page_with_503()
    {
        await using var portal = await StartAsync();
        using var browser = new PortalClient(portal);
        var login = await browser.GetAsync(AccountPages.Login);

        portal.DatabaseProxy!.Cut();
        var page = await browser.SubmitLoginAsync(login, PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        AssertOutagePage(page);

        portal.DatabaseProxy.Restore();
        var afterPassword = await browser.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, afterPassword.Status);
        Assert.NotEqual(AccountPages.Login, afterPassword.Path, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_signed_in_page_answers_the_portal_outage_page_with_503()
    {
        await using var portal = await StartAsync();
        using var browser = new PortalClient(portal);
        await browser.SignInAsAdministratorAsync();

        // The session is checked against the database on every request: that check meets the outage first.
        portal.DatabaseProxy!.Cut();
        AssertOutagePage(await browser.GetAsync("/manage-api-credentials"));
        AssertOutagePage(await browser.GetAsync("/admin"));

        portal.DatabaseProxy.Restore();
        var admin = await browser.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, admin.Status);
        Assert.Equal("/admin", admin.Path);
    }

    private static void AssertOutagePage(HtmlPage page)
    {
        Assert.True(page.Status == HttpStatusCode.ServiceUnavailable, page.ToString());
        Assert.Equal("text/html", page.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(DatabaseOutage.RetryAfter, page.Response.Headers.RetryAfter?.Delta);
        Assert.Equal("Temporarily unavailable", page.Heading);
        Assert.Contains("cannot reach its database", page.Text, StringComparison.Ordinal);
        // The portal's own layout, not a bare error.
        Assert.NotNull(page.Document.QuerySelector("header.site-header a.brand"));
        Assert.NotNull(page.Document.QuerySelector("link[rel=stylesheet][href^='/css/site.'][href$='.css']"));
        Assert.Contains("no-store", page.Response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
    }

    private static async Task<PortalFactory> StartAsync()
    {
        Providers.SkipIfUnavailable(DatabaseProvider.PostgreSql);
        return await PortalFactory.StartAsync(DatabaseProvider.PostgreSql, databaseProxy: true);
    }
}
