using System.Net;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>Issue 19 item 12: portal pages answer a missing page with a portal page; machine endpoints keep their answers.</summary>
public sealed class StatusPagesTests
{
    [Fact]
    public async Task Unknown_addresses_and_objects_get_a_portal_page_with_a_way_back_under_their_own_status()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();

        foreach (var path in new[] { "/no/such/page", "/admin/organisations/999999", "/manage-api-credentials/999999/history" })
        {
            var page = await admin.GetAsync(path);
            Assert.True(page.Status == HttpStatusCode.NotFound, page.ToString());
            Assert.Equal("Page not found", page.Heading);
            Assert.NotNull(page.Document.QuerySelector("main a[href='/manage-api-credentials']"));
            Assert.NotNull(page.Document.QuerySelector("header .brand"));
        }

        // Signed out, every address but the public ones asks to sign in first.
        using var anonymous = new PortalClient(portal);
        Assert.Equal("/Account/Login", (await anonymous.GetAsync("/no/such/page")).Path);
    }

    [Fact]
    public async Task Machine_endpoints_keep_their_protocol_answers()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var http = portal.CreateClient();

        using var api = await http.GetAsync("/api/v1/applications");
        using var connectivity = await http.GetAsync("/connectivity");

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.DoesNotContain("text/html", api.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, connectivity.StatusCode);
        Assert.DoesNotContain("<html", await connectivity.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
